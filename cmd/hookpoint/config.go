package main

import (
	"errors"
	"flag"
	"io/fs"
	"os"

	"github.com/hookpoint/hookpoint/internal/config"
)

// configFlags are the flags every command that reads the config takes.
type configFlags struct {
	path     string
	listen   string
	data     string
	database string
}

func (c *configFlags) register(fs *flag.FlagSet, serverFlags bool) {
	fs.StringVar(&c.path, "config", os.Getenv("HOOKPOINT_CONFIG"), "config file (YAML); defaults to ./"+config.DefaultFile+" when present [$HOOKPOINT_CONFIG]")
	if serverFlags {
		fs.StringVar(&c.listen, "listen", os.Getenv("HOOKPOINT_LISTEN"), "address to listen on (default \":8080\") [$HOOKPOINT_LISTEN]")
		fs.StringVar(&c.data, "data", os.Getenv("HOOKPOINT_DATA"), "data directory (default \"./data\") [$HOOKPOINT_DATA]")
		fs.StringVar(&c.database, "database", os.Getenv("HOOKPOINT_DATABASE"), "database: a postgres:// URL, a PostgreSQL key=value string (host=... dbname=...), sqlite:PATH or a SQLite file in an existing directory (default DATA/hookpoint.db) [$HOOKPOINT_DATABASE]")
	}
}

// file returns the config file to read: the named one, else
// ./hookpoint.yaml when it exists, else "" (the embedded default).
func (c *configFlags) file() (string, error) {
	if c.path != "" {
		return c.path, nil
	}
	if _, err := os.Stat(config.DefaultFile); err == nil {
		return config.DefaultFile, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return "", nil
}

// load reads the config file (see file) with the flags on top.
func (c *configFlags) load() (*config.Config, error) {
	path, err := c.file()
	if err != nil {
		return nil, err
	}
	return config.Load(path, config.Overrides{Listen: c.listen, DataDir: c.data, Database: c.database})
}
