package main

import "syscall"

// childAttr puts the server in a process group of its own, so that Ctrl-C
// reaches the load test alone, which stops the workload first and then the
// server; and has the kernel kill the server should the load test die
// without stopping it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
