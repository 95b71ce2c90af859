package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/hub"
)

func (a *app) newModelsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List, describe and download models",
		Long: `List, describe and download models.

Models live in the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else
$XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub), shared with
transformers, timm and huggingface_hub; vit also has built-in models.`,
		RunE: groupRunE,
	}
	cmd.AddCommand(a.newModelsListCmd(), a.newModelsInfoCmd(), a.newModelsPullCmd())
	return cmd
}

func (a *app) newModelsListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in models and the models in the Hugging Face cache",
		Long: `List the built-in models and the models in the Hugging Face cache: id,
revision, size on disk, parameters (tensor elements in the weights files) and
classes. Incomplete snapshots are marked; vit models pull completes them.`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, textOrJSON...); err != nil {
				return err
			}
			rows, err := classify.ListModels(hub.CacheDirFromEnv(a.getenv))
			if err != nil {
				return err
			}
			if format == "json" {
				return a.writeJSON(rows)
			}
			return classify.WriteModelList(a.stdout, rows)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func (a *app) newModelsInfoCmd() *cobra.Command {
	var (
		format  string
		offline bool
	)
	cmd := &cobra.Command{
		Use:   "info [MODEL]",
		Short: "Describe a model: architecture, dimensions, parameters, GFLOPs, preprocessing, classes",
		Long: `Describe a model: architecture, dimensions, parameters, GFLOPs per image,
the preprocessing recipe read from its configuration, and its classes.
MODEL is what classify -m takes (default: the built-in model); a Hugging Face
id not in the cache is downloaded unless --offline or HF_HUB_OFFLINE=1.`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, textOrJSON...); err != nil {
				return err
			}
			spec := ""
			if len(args) == 1 {
				spec = args[0]
			}
			return a.modelsInfo(cmd, spec, format, a.offline(offline))
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	cmd.Flags().BoolVar(&offline, "offline", false, "never download (also: HF_HUB_OFFLINE=1)")
	return cmd
}

func (a *app) modelsInfo(cmd *cobra.Command, spec, format string, offline bool) error {
	m, src, err := a.openModel(cmd.Context(), spec, modelOptions{Threads: 1, Offline: offline})
	if err != nil {
		return err
	}
	defer m.Close()
	info := classify.Describe(m, src)
	if format == "json" {
		return a.writeJSON(info)
	}
	return info.WriteText(a.stdout)
}

func (a *app) newModelsPullCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pull ORG/NAME[@REVISION]",
		Short: "Download a model from the Hugging Face hub into the cache",
		Long: `Download a model into the Hugging Face cache, in the layout huggingface_hub
uses: config.json, preprocessor_config.json when present, and the safetensors
weights (model.safetensors or its shards). Files already cached are not
downloaded again; interrupted downloads resume.

Environment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (for
gated and private models), HF_HUB_CACHE / HF_HOME (cache location),
HF_HUB_OFFLINE=1 (refuse to download).`,
		Example: `  vit models pull google/vit-base-patch16-224
  vit models pull facebook/deit-small-patch16-224@main
  HF_TOKEN=hf_… vit models pull my-org/private-vit`,
		Args: cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if _, _, err := hub.ParseID(id); err != nil {
				return usageError{err}
			}
			c, prog := a.hubClient(false)
			dir, err := c.Pull(cmd.Context(), id)
			prog.finish()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, dir)
			return err
		}),
	}
}
