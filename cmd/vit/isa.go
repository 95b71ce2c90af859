package main

import "github.com/vitgo/vit/internal/kernels"

// kernelISA names the micro-kernel family the kernels chose at start-up.
func kernelISA() string { return kernels.ISA() }
