// Command build-merge-function builds the merge function exactly as
// `pulumi up` does, into dist/merge-function, and prints the archive and its
// hash: what `make build` runs to inspect the deployed artifact.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
)

func main() {
	artifact, err := lambdabuild.Build(context.Background(), lambdabuild.DeployedMergeFunction(""))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s  %d bytes  sha256 %s\n", artifact.ZipPath, artifact.ZipSize, artifact.SourceCodeHash)
}
