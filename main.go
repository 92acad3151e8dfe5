// Command cognito-descope-passkeys is the Pulumi program: `pulumi up` gives a
// Cognito user pool passkey sign-in through Descope.
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() { pulumi.Run(run) }
