//go:build !linux

package main

import "syscall"

// childAttr leaves the server in the load test's process group: Ctrl-C
// reaches both, and the server finishes its requests and stops.
func childAttr() *syscall.SysProcAttr { return nil }
