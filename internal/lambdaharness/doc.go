// Package lambdaharness runs a Lambda function binary the way the Lambda
// service does, entirely on loopback: a fake Runtime API hands it invocations,
// a recording proxy sits between it and a Cognito stand-in (cognito-local, or
// an in-memory stub), and the function runs as a child process with an
// explicit environment whose AWS credentials are fake and whose endpoints all
// point at 127.0.0.1, so nothing it does can reach real AWS.
//
// The e2e tests and the benchmark program share it, so both measure the same
// thing.
package lambdaharness
