// Command notarylint reports, offline and in one run, everything Apple's
// notary service would reject in a Mac artifact before it is uploaded.
package main

import (
	"os"

	"github.com/notarylint/notarylint/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
