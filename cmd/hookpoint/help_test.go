package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// commands lists every command and subcommand the binary has.
var commands = [][]string{
	{"init"}, {"serve"}, {"webhooks"}, {"sign"}, {"send"}, {"version"},
	{"deliveries"}, {"deliveries", "ls"}, {"deliveries", "show"}, {"deliveries", "replay"},
	{"tasks"}, {"tasks", "ls"}, {"tasks", "show"}, {"tasks", "cancel"},
	{"plugins"}, {"plugins", "ls"}, {"plugins", "describe"},
}

// Asking for help is not an error: every command and subcommand prints
// its help and exits 0, whatever the config holds.
func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, cmd := range commands {
		for _, flag := range []string{"--help", "-h"} {
			args := append(append([]string{}, cmd...), flag)
			out, errOut, err := runHookpoint(t, nil, []string{"HOOKPOINT_CONFIG=does-not-exist.yaml"}, args...)
			if err != nil {
				t.Errorf("hookpoint %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
				continue
			}
			if cmd[0] != "version" && !strings.Contains(strings.ToLower(out+errOut), "usage") {
				t.Errorf("hookpoint %s printed no usage:\n%s%s", strings.Join(args, " "), out, errOut)
			}
		}
	}
}

// Errors still exit non-zero: a bad flag, an unknown command, no command.
func TestUsageErrorsExitNonZero(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--bogus"}, {"deliveries", "ls", "--bogus"}, {"tasks", "nope"}} {
		_, _, err := runHookpoint(t, nil, nil, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Errorf("hookpoint %s: err %v, want a non-zero exit", strings.Join(args, " "), err)
		}
	}
}
