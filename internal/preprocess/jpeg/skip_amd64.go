//go:build amd64 && gc && !purego

package jpeg

import "golang.org/x/sys/cpu"

// skipBlocksBMI2 reads whole blocks as skipBlock does, up to len(dcs) of
// them, putting their DC differences in dcs, and returns how many it
// read; it stops before a block that needs skipBlock's slower paths (an
// EOB run, a ZRL or a term past the block's end, a marker, the end of
// data), leaving r at that block's start. It is
//
//	for j := range dcs {
//		if !fastCase(next block) { return j }
//		dcs[j], _ = r.skipBlock(dc, ac, t)
//	}
//	return len(dcs)
//
//go:noescape
func skipBlocksBMI2(r *bitReader, dc, ac *fastHuff, t *skipTable, dcs []int32) int

func init() { useBMI2 = cpu.X86.HasBMI2 }

// skipBlocksAsm is skipBlocksBMI2 where the CPU has BMI2, else 0.
func skipBlocksAsm(r *bitReader, dc, ac *fastHuff, t *skipTable, dcs []int32) int {
	if useBMI2 {
		return skipBlocksBMI2(r, dc, ac, t, dcs)
	}
	return 0
}
