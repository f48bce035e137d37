// Package bundle reads macOS bundles (.app, .framework, .appex, .xpc,
// .plugin, .bundle, .kext, .systemextension): their layout, Info.plist, main
// executable and _CodeSignature/CodeResources seal, and verifies the bundle
// against its seal as `codesign --verify --strict` does.
//
// Bundles are read through an fs.FS that implements fs.ReadLinkFS. Symbolic
// links are never followed: their targets are read as text and checked, and
// paths are resolved by hand so that nothing outside the input is opened.
package bundle
