// Package rules holds notarylint's checks. Each file declares one rule (or a
// small family) as an *analyzer.Rule value with its documentation; All lists
// them in ID order.
//
// Precision bar: a false error is as serious a bug as a missed one. A rule
// defaults to error only when Apple's notary service is known to reject what
// it finds (a real notary log shows it, or Apple documents it) or when
// `codesign --verify --strict` fails on it per Apple's documentation or
// source. Rules whose trigger was inferred say so (Doc.Inferred) and default
// to warning or info.
package rules
