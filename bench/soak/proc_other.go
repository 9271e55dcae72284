//go:build !linux

package main

import (
	"errors"
	"syscall"
)

func childAttr() *syscall.SysProcAttr { return nil }

func rssBytes(int) (int64, error) { return 0, errors.New("reading RSS needs Linux's /proc") }
