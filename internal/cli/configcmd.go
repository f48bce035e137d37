package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/rules"
)

func newConfig(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write, check or describe the configuration file (.notarylint.yaml)",
	}
	var force bool
	initCmd := &cobra.Command{
		Use:   "init [FILE]",
		Short: "Write a commented configuration (default ./.notarylint.yaml; - for standard output)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path := config.FileName
			if len(args) == 1 {
				path = args[0]
			}
			if path == "-" {
				_, err := io.WriteString(stdout, config.Template)
				return err
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return usageErr("%s exists; --force overwrites it", path)
			}
			if err != nil {
				return usageErr("%v", err)
			}
			if _, err := io.WriteString(f, config.Template); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s\n", path)
			return nil
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	verifyCmd := &cobra.Command{
		Use:   "verify [FILE]",
		Short: "Check a configuration file (default: the one found from the current directory upward)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			} else {
				p, err := config.Find(".")
				if err != nil {
					return usageErr("%v", err)
				}
				if p == "" {
					return usageErr("no %s in this directory or its parents up to the repository root", config.FileName)
				}
				path = p
			}
			f, err := loadConfig(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: ok (%d rules enabled only, %d disabled, %d severities, %d ignore entries)\n",
				path, len(f.Enable), len(f.Disable), len(f.Severity), len(f.Ignore))
			return nil
		},
	}
	schemaCmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the configuration's JSON Schema (docs/notarylint.schema.json)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b, err := config.Schema(rules.All)
			if err != nil {
				return err
			}
			_, err = stdout.Write(b)
			return err
		},
	}
	cmd.AddCommand(initCmd, verifyCmd, schemaCmd)
	return cmd
}

// ruleNames lists every rule's ID and name, for suggestions.
func ruleNames() []string {
	var out []string
	for _, r := range rules.All {
		out = append(out, r.ID, r.Name)
	}
	return out
}

// loadConfig reads a configuration file; its errors are usage errors
// (exit 2) naming the file and line.
func loadConfig(path string) (*config.File, error) {
	f, err := config.Load(path, rules.Lookup, ruleNames())
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: err}
	}
	return f, nil
}
