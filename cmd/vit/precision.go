package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/kernels"
)

const precisionUsage = "number format of the encoder's matrices: fp32, bf16 (half the weight memory) or int8 (a quarter; check a model with bench --agreement first)"

// precisionFlag adds --precision to the flags of a command that runs a
// model.
func precisionFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "precision", "fp32", precisionUsage)
}

// parsePrecision reads --precision.
func parsePrecision(s string) (kernels.Precision, error) {
	p, err := kernels.ParsePrecision(s)
	if err != nil {
		return p, usagef("--%w", err)
	}
	return p, nil
}

// slowPrecision says why p would run slower than fp32 on this CPU, or ""
// when it does not: a precision whose products the kernels run in
// portable Go code where fp32's are vectorized (none today: bf16 and int8
// need AVX2 or AMX, as fp32 does).
func slowPrecision(p kernels.Precision) string {
	if p == kernels.FP32 || kernels.Vectorized(p) || !kernels.Vectorized(kernels.FP32) {
		return ""
	}
	return fmt.Sprintf("--precision %v: this CPU has no vector instructions for %v matrix products (int8 needs AVX2 or AMX), so they run in portable code, slower than fp32 here", p, p)
}
