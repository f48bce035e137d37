package macho

import "fmt"

// CPU types and subtypes from <mach/machine.h>.
const (
	cpuArch64    = 0x01000000
	cpuArch64_32 = 0x02000000

	CPUX86     = 7
	CPUX86_64  = CPUX86 | cpuArch64
	CPUARM     = 12
	CPUARM64   = CPUARM | cpuArch64
	CPUARM6432 = CPUARM | cpuArch64_32
	CPUPPC     = 18
	CPUPPC64   = CPUPPC | cpuArch64

	subtypeMask = 0x00ffffff
)

// ArchName returns the architecture name Apple's tools and notary logs use
// for a CPU type and subtype: "arm64", "arm64e", "x86_64", "x86_64h", "i386",
// "ppc", ...
func ArchName(cpu, subtype uint32) string {
	sub := subtype & subtypeMask
	switch cpu {
	case CPUX86_64:
		if sub == 8 {
			return "x86_64h"
		}
		return "x86_64"
	case CPUX86:
		return "i386"
	case CPUARM64:
		if sub == 2 {
			return "arm64e"
		}
		return "arm64"
	case CPUARM6432:
		return "arm64_32"
	case CPUARM:
		switch sub {
		case 6:
			return "armv6"
		case 9:
			return "armv7"
		case 11:
			return "armv7s"
		case 12:
			return "armv7k"
		}
		return "arm"
	case CPUPPC:
		return "ppc"
	case CPUPPC64:
		return "ppc64"
	}
	return fmt.Sprintf("cpu(%#x,%#x)", cpu, subtype)
}

// knownCPU reports whether cpu is a CPU type that appears in real Mach-O
// files; it helps tell a universal binary from a Java class file.
func knownCPU(cpu uint32) bool {
	switch cpu {
	case CPUX86, CPUX86_64, CPUARM, CPUARM64, CPUARM6432, CPUPPC, CPUPPC64,
		6 /* mc680x0 */, 10 /* mc98000 */, 11 /* hppa */, 13 /* mc88000 */, 14 /* sparc */, 15 /* i860 */ :
		return true
	}
	return false
}
