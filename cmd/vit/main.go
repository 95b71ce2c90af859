// Command vit classifies images with Vision Transformers on the CPU.
//
// See README.md at the repository root for usage, the output schema and the
// exit codes.
package main

import "os"

func main() { os.Exit(run()) }
