package main

import "github.com/spf13/cobra"

func (a *app) newBenchCmd() *cobra.Command { return &cobra.Command{Use: "bench"} }
