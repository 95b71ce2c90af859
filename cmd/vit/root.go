package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/hub"
	"golang.org/x/term"
)

// Exit codes, documented in README.md.
const (
	exitOK        = 0   // every input succeeded
	exitFailure   = 1   // some input failed, or a runtime error
	exitUsage     = 2   // bad flags or arguments
	exitInternal  = 3   // an internal error (a bug): a panic outside any one input
	exitInterrupt = 130 // SIGINT/SIGTERM: finished results were flushed
)

// usageError marks an error in the command line; it exits with exitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// errInputsFailed reports that some inputs failed; each failure was already
// reported in the output, so nothing more is printed.
var errInputsFailed = errors.New("some inputs failed")

// app is everything a command touches outside its flags: the standard
// streams, the environment and the hooks tests replace.
type app struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	stdoutTTY bool // stdout is a terminal
	stderrTTY bool // stderr is a terminal (progress bars are drawn only then)
	getenv    func(string) string
	numCPU    int

	// openClassifier resolves -m/--model for classify; tests swap in a fake.
	openClassifier func(ctx context.Context, a *app, spec string, opt modelOptions) (runModel, error)
	// openEmbedder resolves -m/--model for embed; tests swap in a fake.
	openEmbedder func(ctx context.Context, a *app, spec string, opt modelOptions) (runModel, error)

	// The commands' run functions, called with the parsed and validated
	// options; tests replace them to see those options.
	runClassify func(ctx context.Context, o classifyOptions) error
	runEmbed    func(ctx context.Context, o embedOptions) error
	runBench    func(ctx context.Context, o benchOptions) error

	// ran is set when a command's RunE starts, so errors before it are
	// classified as usage errors (unknown commands, bad arguments).
	ran bool
}

// run is main's body: real streams, real environment, signals.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, restore the default handling so a second
		// Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	a := newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	a.stdoutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	a.stderrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	return a.main(ctx, os.Args[1:])
}

// newApp returns an app on these streams and environment, with the real
// model loader and run functions.
func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	a := &app{
		stdin:          stdin,
		stdout:         stdout,
		stderr:         stderr,
		getenv:         getenv,
		numCPU:         runtime.NumCPU(),
		openClassifier: openModelClassifier,
		openEmbedder:   openModelEmbedder,
	}
	a.runClassify = a.classify
	a.runEmbed = a.embed
	a.runBench = a.bench
	return a
}

// main runs one command line and returns the process exit code. A panic
// (a bug, since one inside an input becomes that input's record) exits
// with exitInternal, not the Go runtime's 2, which means a usage error.
func (a *app) main(ctx context.Context, args []string) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(a.stderr, "vit: internal error: %v\n%s", v, debug.Stack())
			code = exitInternal
		}
	}()
	root := a.newRootCmd()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	code = a.exitCode(ctx, err)
	switch {
	case err == nil, errors.Is(err, errInputsFailed):
	case code == exitInterrupt && errors.Is(err, context.Canceled):
		fmt.Fprintln(a.stderr, "vit: interrupted")
	default:
		fmt.Fprintf(a.stderr, "vit: %s\n", oneLine(err.Error()))
		if code == exitUsage && cmd != nil {
			if cmd.Name() == "help" && cmd.HasParent() {
				cmd = cmd.Parent() // a bad help topic: the commands there are
			}
			fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return code
}

func (a *app) exitCode(ctx context.Context, err error) int {
	var ue usageError
	switch {
	case ctx.Err() != nil:
		return exitInterrupt
	case err == nil:
		return exitOK
	case errors.As(err, &ue), !a.ran:
		return exitUsage
	default:
		return exitFailure
	}
}

// oneLine folds a multi-line error message onto one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func (a *app) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "vit",
		Short: "Classify images with Vision Transformers on the CPU",
		Long: `vit classifies images with Vision Transformers on the CPU, from one static
binary. It reads Hugging Face (ViT, DeiT) and timm checkpoints from a directory
or the Hugging Face cache, and ships a small built-in model (fashion-vit).`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(flagError)
	root.Version = "x" // enables --version; the template prints versionText
	root.SetVersionTemplate(versionText())
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return nil
	}
	root.RunE = groupRunE
	root.SetHelpCommand(a.newHelpCmd(root))
	root.AddCommand(
		a.newClassifyCmd(),
		a.newEmbedCmd(),
		a.newExplainCmd(),
		a.newModelsCmd(),
		a.newBenchCmd(),
		a.newVersionCmd(),
	)
	a.registerCompletions(root)
	return root
}

// offline reports whether a command may not download: its --offline flag
// or HF_HUB_OFFLINE (TRANSFORMERS_OFFLINE) in the environment.
func (a *app) offline(flag bool) bool { return flag || hub.OfflineFromEnv(a.getenv) }

// oneOf checks that a flag's value is one of allowed, else returns a usage
// error that lists them.
func oneOf(flag, val string, allowed ...string) error {
	if slices.Contains(allowed, val) {
		return nil
	}
	return usagef("%s %q: want %s", flag, val, orList(allowed))
}

// orList joins values as "a, b or c".
func orList(vals []string) string {
	n := len(vals)
	if n < 2 {
		return strings.Join(vals, "")
	}
	return strings.Join(vals[:n-1], ", ") + " or " + vals[n-1]
}

// textOrJSON are the values of --format of the commands other than classify.
var textOrJSON = []string{"text", "json"}

// writeJSON prints v to standard output as indented JSON.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runE wraps a command body so the app knows parsing is over.
func (a *app) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		return fn(cmd, args)
	}
}
