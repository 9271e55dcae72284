// Command hookpoint runs the Hookpoint webhook server and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	_ "github.com/hookpoint/hookpoint/plugins/all" // built-in plugins
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Hookpoint: webhook access points for chat-agent plugins.

Usage:
  hookpoint serve     [--listen ADDR] [--data DIR] [--database URL] [--config FILE]
  hookpoint webhooks  [--config FILE] [--json]
  hookpoint sign      --scheme S [--secret-file F] [--event E] [flags] FILE|-
  hookpoint send      --to URL --scheme S [--secret-file F] [--event E] [flags] FILE|-
  hookpoint deliveries ls|show|replay [flags]
  hookpoint tasks     ls|show|cancel [flags]
  hookpoint version

Run "hookpoint COMMAND --help" for a command's flags.
`

func main() {
	ctx := context.Background()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hookpoint:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "webhooks":
		return webhooks(ctx, args[1:], stdout, stderr)
	case "sign":
		return sign(ctx, args[1:], os.Stdin, stdout, stderr)
	case "send":
		return send(ctx, args[1:], os.Stdin, stdout, stderr)
	case "deliveries":
		return deliveries(ctx, args[1:], stdout, stderr)
	case "tasks":
		return tasks(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hookpoint", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
