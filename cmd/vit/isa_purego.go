//go:build purego

package main

func kernelISA() string { return "generic (pure Go, built with -tags purego)" }
