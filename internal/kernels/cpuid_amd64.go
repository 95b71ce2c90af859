//go:build amd64 && gc && !purego

package kernels

// cpuid is the CPUID instruction: the EAX, EBX, ECX and EDX it returns
// for EAX = leaf, ECX = subleaf (a cpuidFunc; leaf 0's EBX, EDX, ECX
// are the vendor string, isAMD).
//
//go:noescape
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
