package main

import (
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
