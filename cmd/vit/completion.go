package main

import (
	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/explain"
	"github.com/vitgo/vit/internal/hub"
	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/models"
)

// Shell completion (cobra's `vit completion bash|zsh|fish|powershell`) of
// flag values.

func fixedValues(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// modelValues completes -m with the built-in models, the models in the
// Hugging Face cache, and (bench) the random-weight configs; directories are
// offered by the shell as well.
func (a *app) modelValues(random bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		vals := models.Names()
		if random {
			vals = append(vals, model.RandomNames()...)
		}
		if cached, err := hub.List(hub.CacheDirFromEnv(a.getenv)); err == nil {
			for _, c := range cached {
				vals = append(vals, c.ID)
			}
		}
		return vals, cobra.ShellCompDirectiveFilterDirs
	}
}

func (a *app) registerCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "classify":
			c.RegisterFlagCompletionFunc("format", fixedValues(classify.Formats...))
			c.RegisterFlagCompletionFunc("scores", fixedValues(classify.ScoreNames...))
			c.RegisterFlagCompletionFunc("progress", fixedValues(progressModes...))
			c.RegisterFlagCompletionFunc("model", a.modelValues(false))
		case "embed":
			c.RegisterFlagCompletionFunc("format", fixedValues(embedFormats...))
			c.RegisterFlagCompletionFunc("progress", fixedValues(progressModes...))
			c.RegisterFlagCompletionFunc("model", a.modelValues(false))
		case "explain":
			c.RegisterFlagCompletionFunc("format", fixedValues(explainFormats...))
			c.RegisterFlagCompletionFunc("method", fixedValues(explain.MethodNames()...))
			c.RegisterFlagCompletionFunc("ext", fixedValues("png", "jpg"))
			c.RegisterFlagCompletionFunc("progress", fixedValues(progressModes...))
			c.RegisterFlagCompletionFunc("model", a.modelValues(false))
			c.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return nil, cobra.ShellCompDirectiveFilterDirs
			})
		case "bench":
			c.RegisterFlagCompletionFunc("format", fixedValues(textOrJSON...))
			c.RegisterFlagCompletionFunc("model", a.modelValues(true))
		}
	}
}
