package main

import "github.com/spf13/cobra"

func (a *app) newVersionCmd() *cobra.Command { return &cobra.Command{Use: "version"} }
