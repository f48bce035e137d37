package macho

import "fmt"

// Version is a Mach-O version number X.Y.Z encoded as X<<16 | Y<<8 | Z, as in
// LC_BUILD_VERSION and LC_VERSION_MIN_* (minos, sdk).
type Version uint32

// MakeVersion encodes major.minor.patch.
func MakeVersion(major, minor, patch uint32) Version {
	return Version(major<<16 | (minor&0xff)<<8 | patch&0xff)
}

// Major, Minor and Patch return the version's parts.
func (v Version) Major() uint32 { return uint32(v) >> 16 }

// Minor returns the middle part of the version.
func (v Version) Minor() uint32 { return uint32(v) >> 8 & 0xff }

// Patch returns the last part of the version.
func (v Version) Patch() uint32 { return uint32(v) & 0xff }

// String formats the version as "10.9" or "10.9.5"; zero is "n/a", as otool
// prints it.
func (v Version) String() string {
	if v == 0 {
		return "n/a"
	}
	if v.Patch() == 0 {
		return fmt.Sprintf("%d.%d", v.Major(), v.Minor())
	}
	return fmt.Sprintf("%d.%d.%d", v.Major(), v.Minor(), v.Patch())
}

// Platform is the platform field of LC_BUILD_VERSION.
type Platform uint32

// Platforms defined by Apple's <mach-o/loader.h>.
const (
	PlatformMacOS            Platform = 1
	PlatformIOS              Platform = 2
	PlatformTVOS             Platform = 3
	PlatformWatchOS          Platform = 4
	PlatformBridgeOS         Platform = 5
	PlatformMacCatalyst      Platform = 6
	PlatformIOSSimulator     Platform = 7
	PlatformTVOSSimulator    Platform = 8
	PlatformWatchOSSimulator Platform = 9
	PlatformDriverKit        Platform = 10
	PlatformVisionOS         Platform = 11
	PlatformVisionOSSim      Platform = 12
)

var platformNames = map[Platform]string{
	PlatformMacOS: "macOS", PlatformIOS: "iOS", PlatformTVOS: "tvOS",
	PlatformWatchOS: "watchOS", PlatformBridgeOS: "bridgeOS",
	PlatformMacCatalyst: "Mac Catalyst", PlatformIOSSimulator: "iOS Simulator",
	PlatformTVOSSimulator: "tvOS Simulator", PlatformWatchOSSimulator: "watchOS Simulator",
	PlatformDriverKit: "DriverKit", PlatformVisionOS: "visionOS",
	PlatformVisionOSSim: "visionOS Simulator",
}

// String returns Apple's name for the platform.
func (p Platform) String() string {
	if n, ok := platformNames[p]; ok {
		return n
	}
	return fmt.Sprintf("platform(%d)", uint32(p))
}
