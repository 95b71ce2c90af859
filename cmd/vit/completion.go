package main

import (
	"os"
	"strings"

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

// modelValues completes -m (and vit models info's argument) with the
// built-in models, the models in the Hugging Face cache, (bench) the
// random-weight configurations, and the directories under what is typed,
// all filtered by it. The directories are listed here rather than left
// to the shell: a directory-only directive would make the shell drop the
// names.
func (a *app) modelValues(random bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		names := models.Names()
		if random {
			names = append(names, model.RandomNames()...)
		}
		if cached, err := hub.List(hub.CacheDirFromEnv(a.getenv)); err == nil {
			for _, c := range cached {
				names = append(names, c.ID)
			}
		}
		var vals []string
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) {
				vals = append(vals, n)
			}
		}
		dirs := dirValues(toComplete)
		d := cobra.ShellCompDirectiveNoFileComp
		if len(dirs) > 0 {
			d |= cobra.ShellCompDirectiveNoSpace // a directory goes on
		}
		return append(vals, dirs...), d
	}
}

// dirValues lists the directories whose path starts with toComplete, each
// with a trailing "/"; hidden ones only when the typed name starts with
// ".".
func dirValues(toComplete string) []string {
	dir, prefix := ".", toComplete
	if i := strings.LastIndex(toComplete, "/"); i >= 0 {
		dir, prefix = toComplete[:i+1], toComplete[i+1:]
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".")) {
			continue
		}
		p := name
		if dir != "." || strings.HasPrefix(toComplete, "./") {
			p = dir + name
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, p+"/")
		}
	}
	return out
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
		case "models":
			for _, sub := range c.Commands() {
				if sub.Name() == "info" {
					sub.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
						if len(args) > 0 {
							return nil, cobra.ShellCompDirectiveNoFileComp
						}
						return a.modelValues(false)(cmd, args, toComplete)
					}
					sub.RegisterFlagCompletionFunc("format", fixedValues(textOrJSON...))
				}
			}
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
