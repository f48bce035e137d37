package rules

// Own lists the rules that are notarylint's own, not catalogue ids, with
// why they exist.
var Own = map[string]string{
	"malformed-macho":            "input that cannot be parsed is a finding, never a crash",
	"internal-error":             "a rule that fails is reported, and the others still run",
	"entitlements-hash-mismatch": "split out of code-hash-mismatch: special slots -5/-7",
	"requirements-hash-mismatch": "split out of code-hash-mismatch: special slot -2",
	"team-id-unexpected":         "--team-id makes any other team an error (catalogue: invalid-team-id)",
	"archive-path-unsafe":        "archives are hostile input: unsafe and duplicate names are reported, never read",
	"archive-unreadable":         "a corrupt archive, or one over a limit (zip bomb, quine, depth), is a finding, not a crash",
	"pkg-signature-invalid":      "a package whose RSA or CMS signature does not verify over the TOC checksum",
	"pkg-checksum-mismatch":      "a damaged package: TOC or archived-file checksums that do not match",
	"pkg-signed-component":       "signed component packages nested in a product (inferred)",
	"pkg-nonstandard-layout":     "hand-built layouts Apple's tools never write (inferred part of pkg-not-extractable)",
	"upload-changed":             "split out of ticket-for-other-build: the upload's SHA-256 against the log's (info when a stapled ticket explains it)",
	"notary-log-only":            "with --notary-log, an issue of Apple's log that no finding explains at its path",
	"app-id-team-mismatch":       "section J consistency: application identifier and team identifier name the signing team",
	"dmg-contents-not-analyzed":  "what the disk image reader cannot walk is said, never passed in silence",
	"dmg-signature-invalid":      "a disk image whose code hash, trailer slot or CMS does not verify",
	"ignore-expired":             "an ignore entry of the configuration past its expires date is shown, not silently dropped",
}

// Catalogue lists every id of the shared rules catalogue with what notarylint
// does about it: the name of the registered rule that implements it, or why
// it is not (yet) implemented. A test keeps it in step with All and with the
// catalogue.
var Catalogue = map[string]string{
	// Implemented.
	"macho-unsigned":                    "",
	"dmg-not-udif":                      "",
	"dmg-unsigned":                      "",
	"dmg-installer-cert":                "",
	"dmg-corrupt-or-compression":        "",
	"dmg-contents":                      "",
	"dmg-inner-app-not-stapled":         "",
	"adhoc-or-linker-signed":            "",
	"weak-signature-algorithm":          "",
	"macho-layout-strict":               "",
	"hardened-runtime-missing":          "",
	"get-task-allow":                    "",
	"entitlements-malformed":            "",
	"sdk-older-than-10.9":               "",
	"legacy-slices":                     "",
	"bare-macho-submitted":              "",
	"cert-not-developer-id":             "",
	"cert-chain-missing":                "",
	"timestamp-missing":                 "",
	"timestamp-not-apple":               "",
	"code-hash-mismatch":                "",
	"cms-invalid":                       "",
	"cert-expired-untimestamped":        "",
	"team-id-mismatch":                  "",
	"infoplist-hash-mismatch":           "",
	"zip-cannot-staple":                 "",
	"nested-archive-code":               "",
	"zip-made-wrongly":                  "",
	"zip-no-unix-modes":                 "",
	"zip-layout":                        "",
	"xattr-detritus":                    "",
	"data-in-code-location":             "",
	"dotted-dir-in-code-location":       "",
	"framework-bad-version":             "",
	"restricted-entitlement-no-profile": "",
	"profile-mismatch":                  "",
	"dev-profile-embedded":              "",
	"sealed-resource-invalid":           "",
	"nested-code-modified":              "",
	"nested-code-unsigned":              "",
	"resource-dir-hash-mismatch":        "",
	"bundle-root-unsealed":              "",
	"framework-root-unsealed":           "",
	"framework-symlinks-flattened":      "",
	"symlink-escapes-bundle":            "",
	"appledouble-in-bundle":             "",
	"not-regular-file":                  "",
	"macho-in-resources":                "",
	"obsolete-resource-envelope":        "",
	"infoplist-incomplete":              "",
	"ticket-not-stapled":                "",
	"coderesources-symlink":             "",

	// Behaviour of the engine rather than a rule of its own.
	"foreign-platform-macho": "by design: every rule checks every Mach-O slice whatever its LC_BUILD_VERSION platform",
	"macho-by-content":       "by design: the engine finds Mach-O files by magic, never by file name",

	// Bundles.
	"profile-missing-nested":            "planned: needs bundle support",
	"entitlements-on-library":           "planned: needs bundle context to avoid false reports",
	"deep-signed-shared-entitlements":   "planned: needs bundle support",
	"jit-entitlement-missing":           "planned: heuristic, needs bundle support",
	"entitlements-der-absent":           "planned: inferred hygiene rule",
	"identifier-differs-from-bundle-id": "planned: needs bundle support",

	// Installer packages.
	"pkg-unsigned":              "",
	"pkg-wrong-cert":            "",
	"pkg-no-timestamp":          "",
	"pkg-not-extractable":       "",
	"pkg-no-code":               "",
	"pkg-payload-issues":        "",
	"pkg-legacy-bundle":         "",
	"pkg-third-party-installer": "planned: inferred heuristic over installer-framework layouts",

	// Disk images.

	// Stapling and notary logs.
	"ticket-for-other-build":    "",
	"staple-unsupported-target": "planned: needs notary-log and stapling support",
	"signed-after-staple":       "planned: needs ticket support",

	// Account- and service-side: not detectable from the bytes.
	"team-not-configured": "not detectable offline: explained by the notary-log command (planned)",
	"invalid-team-id":     "not detectable offline: explained by the notary-log command (planned)",
	"agreements-missing":  "not detectable offline: explained by the notary-log command (planned)",
	"bad-credentials":     "not detectable offline: explained by the notary-log command (planned)",
	"altool-retired":      "not detectable offline: about the upload tool, not the artifact",
	"exit-0-on-invalid":   "not detectable offline: about notarytool's exit status",
	"warnings-accepted":   "not detectable offline: service policy",
	"slow-or-stuck":       "not detectable offline: service behaviour",
	"staple-trust-68":     "not detectable offline: network configuration",
	"revoked":             "not detectable offline: needs Apple's revocation service",
}
