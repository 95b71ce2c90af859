package main

import "github.com/spf13/cobra"

func (a *app) newModelsCmd() *cobra.Command { return &cobra.Command{Use: "models"} }
