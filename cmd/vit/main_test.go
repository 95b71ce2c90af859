package main

import (
	"os"
	"testing"
)

// TestMain lets a test run the command as a subprocess without building
// it: with VIT_TEST_MAIN=1 in its environment the test binary is vit.
func TestMain(m *testing.M) {
	if os.Getenv("VIT_TEST_MAIN") == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}
