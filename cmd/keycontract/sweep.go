package main

import (
	"fmt"
	"io"
)

// sweepCmd lists (and with -yes deletes) what earlier runs left behind.
func sweepCmd(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "keycontract: sweep is not available in this version yet")
	return 2
}
