package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Usage errors worded for people: unknown commands and help topics, flag
// names with a suggestion, flag values with what the flag wants.

// groupRunE is the body of a command that only groups subcommands (vit
// models): without arguments it prints its help; an argument is an
// unknown subcommand, a usage error (cobra would print the help and exit
// 0).
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return unknownCommand(cmd, args[0])
}

// unknownCommand is the usage error for a subcommand name that parent
// does not have, with cobra's suggestions.
func unknownCommand(parent *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, parent.CommandPath())
	if parent.SuggestionsMinimumDistance <= 0 {
		parent.SuggestionsMinimumDistance = 2
	}
	if s := parent.SuggestionsFor(name); len(s) > 0 {
		msg += "; did you mean " + orList(quoteAll(s)) + "?"
	}
	return usageError{fmt.Errorf("%s", msg)}
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return q
}

// newHelpCmd is `vit help [COMMAND...]`: the command's help, or a usage
// error for a topic that is no command.
func (a *app) newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "Help about any command",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: a.runE(func(c *cobra.Command, args []string) error {
			cmd := root
			for _, name := range args {
				var next *cobra.Command
				for _, sub := range cmd.Commands() {
					if sub.Name() == name || sub.HasAlias(name) {
						next = sub
					}
				}
				if next == nil {
					return unknownCommand(cmd, name)
				}
				cmd = next
			}
			return cmd.Help()
		}),
	}
}

// flagError rewords pflag's parse errors: an unknown flag suggests the
// flag meant, a bad value says what the flag wants instead of strconv's
// message.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := unknownFlagRE.FindStringSubmatch(msg); m != nil {
		if s := suggestFlag(cmd.Flags(), m[1]); s != "" {
			msg += "; did you mean " + s + "?"
		}
		return usageError{fmt.Errorf("%s", msg)}
	}
	if m := badValueRE.FindStringSubmatch(msg); m != nil {
		f := flagByNames(cmd.Flags(), m[2])
		switch kind := valueKind(f); {
		case f == nil:
		case kind == "":
			// A flag type of ours: its own message says what it wants.
			return usageError{fmt.Errorf("%s %q: %s", flagNames(f), m[1], m[3])}
		default:
			return usageError{fmt.Errorf("%s %q: want %s: %s", flagNames(f), m[1], kind, strings.ReplaceAll(f.Usage, "`", ""))}
		}
	}
	return usageError{err}
}

var (
	unknownFlagRE = regexp.MustCompile(`^unknown (?:shorthand )?flag: (?:--([^ ]+)|'(.)' in)`)
	badValueRE    = regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: (.*)$`)
)

// flagNames is "-k/--top-k", or "--scores" for a flag without shorthand.
func flagNames(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// flagByNames finds the flag pflag names as "-k, --top-k" or "--scores".
func flagByNames(fs *pflag.FlagSet, names string) *pflag.Flag {
	i := strings.LastIndex(names, "--")
	if i < 0 {
		return nil
	}
	return fs.Lookup(names[i+2:])
}

// valueKind says what a flag's value must be, by its type; "" for the
// flag types of this command, whose errors say it.
func valueKind(f *pflag.Flag) string {
	if f == nil {
		return ""
	}
	switch f.Value.Type() {
	case "int", "int64", "uint", "uint64", "int32":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "duration":
		return "a duration such as 30s or 2m"
	}
	return ""
}

// suggestFlag returns the flag of fs closest to name (an unknown long
// flag, or a shorthand): the same letters without dashes and underscores
// ("topk" for "top-k"), or within two edits; "" when none is close.
func suggestFlag(fs *pflag.FlagSet, name string) string {
	norm := func(s string) string { return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s)) }
	best, bestD := (*pflag.Flag)(nil), 3
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(norm(name), norm(f.Name))
		if len(name) > 1 && strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if d < bestD || (d == bestD && best != nil && f.Name < best.Name) {
			best, bestD = f, d
		}
	})
	if best == nil || bestD > 2 || (bestD > 0 && len(name) <= 3) {
		return ""
	}
	return flagNames(best)
}

// editDistance is the Levenshtein distance of a and b (in bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
