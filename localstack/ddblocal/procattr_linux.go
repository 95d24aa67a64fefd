package ddblocal

import (
	"os/exec"
	"syscall"
)

// stopWithParent has the kernel kill the JVM if this process dies without
// calling Stop (a test binary killed by a timeout), so no DynamoDB Local outlives it.
func stopWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
