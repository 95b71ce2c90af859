package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/kernels"
	"golang.org/x/sys/cpu"
)

// version is set by the Makefile (-ldflags "-X main.version=…") from git
// describe; otherwise the module version from the build info is used.
var version = ""

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the build and the CPU features in use",
		Args:  cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(a.stdout, versionText())
			return err
		}),
	}
}

func versionText() string {
	var b strings.Builder
	v := version
	bi, ok := debug.ReadBuildInfo()
	if v == "" && ok {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "vit %s\n", v)
	if ok {
		s := map[string]string{}
		for _, kv := range bi.Settings {
			s[kv.Key] = kv.Value
		}
		if rev := s["vcs.revision"]; rev != "" {
			line := rev
			if t := s["vcs.time"]; t != "" {
				line += " " + t
			}
			if s["vcs.modified"] == "true" {
				line += " (modified)"
			}
			fmt.Fprintf(&b, "commit   %s\n", line)
		}
		var tags []string
		if t := s["-tags"]; t != "" {
			tags = append(tags, "tags "+t)
		}
		if s["CGO_ENABLED"] == "0" {
			tags = append(tags, "static (CGO_ENABLED=0)")
		}
		if len(tags) > 0 {
			fmt.Fprintf(&b, "build    %s\n", strings.Join(tags, ", "))
		}
	}
	fmt.Fprintf(&b, "go       %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "cpu      %d cores; %s\n", runtime.NumCPU(), cpuFeatures())
	fmt.Fprintf(&b, "kernels  %s\n", kernels.ISA())
	return b.String()
}

// cpuFeatures lists the SIMD features of this CPU that the kernels can use:
// x86-64's only; elsewhere the kernels are portable Go.
func cpuFeatures() string {
	var f []string
	switch runtime.GOARCH {
	case "amd64":
		for _, x := range []struct {
			on   bool
			name string
		}{
			{cpu.X86.HasAVX512F, "avx512f"}, {cpu.X86.HasAVX2, "avx2"}, {cpu.X86.HasFMA, "fma"},
		} {
			if x.on {
				f = append(f, x.name)
			}
		}
	}
	if len(f) == 0 {
		return "no SIMD features in use (portable Go kernels)"
	}
	return strings.Join(f, " ")
}
