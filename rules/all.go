package rules

import (
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// resolvingURL is the base of Apple's "Resolving common notarization issues"
// page, whose anchors notary logs cite in docUrl.
const resolvingURL = "https://developer.apple.com/documentation/security/notarizing_macos_software_before_distribution/resolving_common_notarization_issues"

// All is every rule, in ID order.
var All = []*analyzer.Rule{
	SDKOlderThan109,
	MachOLayoutStrict,
	LegacySlices,
	BareMachOSubmitted,
	MachOUnsigned,
	AdhocOrLinkerSigned,
	WeakSignatureAlgorithm,
	CertNotDeveloperID,
	CertChainMissing,
	TimestampMissing,
	TimestampNotApple,
	CodeHashMismatch,
	EntitlementsHashMismatch,
	RequirementsHashMismatch,
	CMSInvalid,
	CertExpiredUntimestamped,
	TeamIDMismatch,
	TeamIDUnexpected,
	InfoPlistHashMismatch,
	HardenedRuntimeMissing,
	GetTaskAllow,
	EntitlementsMalformed,
	RestrictedEntitlementNoProfile,
	ProfileMismatch,
	DevProfileEmbedded,
	AppIDTeamMismatch,
	SealedResourceInvalid,
	NestedCodeModified,
	NestedCodeUnsigned,
	ResourceDirHashMismatch,
	BundleRootUnsealed,
	FrameworkRootUnsealed,
	FrameworkSymlinksFlattened,
	SymlinkEscapesBundle,
	AppleDoubleInBundle,
	NotRegularFile,
	MachOInResources,
	ObsoleteResourceEnvelope,
	InfoPlistIncomplete,
	FrameworkBadVersion,
	DataInCodeLocation,
	DottedDirInCodeLocation,
	XattrDetritus,
	ZipCannotStaple,
	NestedArchiveCode,
	ArchivePathUnsafe,
	ZipNoUnixModes,
	ZipMadeWrongly,
	ZipLayout,
	PkgUnsigned,
	PkgWrongCert,
	PkgNoTimestamp,
	PkgSignatureInvalid,
	PkgChecksumMismatch,
	PkgNotExtractable,
	PkgNoCode,
	PkgPayloadIssues,
	PkgLegacyBundle,
	PkgSignedComponent,
	PkgNonstandardLayout,
	DMGNotUDIF,
	DMGUnsigned,
	DMGInstallerCert,
	DMGCorruptOrCompression,
	DMGContents,
	DMGInnerAppNotStapled,
	DMGContentsNotAnalyzed,
	DMGSignatureInvalid,
	TicketNotStapled,
	CodeResourcesSymlink,
	TicketForOtherBuild,
	UploadChanged,
	analyzer.NotaryLogOnly,
	MalformedMachO,
	analyzer.InternalError,
	ArchiveUnreadable,
	analyzer.IgnoreExpired,
}

// Lookup finds a rule by ID or name (case-insensitive), or returns nil.
func Lookup(idOrName string) *analyzer.Rule {
	for _, r := range All {
		if strings.EqualFold(r.ID, idOrName) || strings.EqualFold(r.Name, idOrName) {
			return r
		}
	}
	return nil
}
