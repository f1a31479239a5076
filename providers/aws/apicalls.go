package aws

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// APIObserver is told of every attempt of an AWS API call: service is the
// IAM-style service code ("ec2", "s3"), operation the API operation
// ("DescribeVpcs"), code "" for a success, else the API's error code,
// "Canceled", "InvalidAnswer" (a 2xx answer that is not AWS's) or
// "NetworkError".
type APIObserver func(service, operation, code string)

// WithAPIObserver calls observe for every API call attempt of every
// provider the factory makes, retries included (metrics count what AWS
// bills and throttles, not what driftctl asked for).
func WithAPIObserver(observe APIObserver) Option {
	return func(f *Factory) { f.observe = observe }
}

// observerID names the middleware in the SDK's stacks.
const observerID = "driftctl.APIObserver"

// observeAPICalls returns an aws.Config.APIOptions entry that installs the
// observer in a client's stack.
func observeAPICalls(observe APIObserver) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		mw := middleware.FinalizeMiddlewareFunc(observerID, func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			observe(serviceCode(awsmiddleware.GetServiceID(ctx)), awsmiddleware.GetOperationName(ctx), errorCode(ctx, err))
			return out, md, err
		})
		// After "Retry", the middleware runs once per attempt.
		if err := stack.Finalize.Insert(mw, "Retry", middleware.After); err == nil {
			return nil
		}
		return stack.Finalize.Add(mw, middleware.After)
	}
}

// errorCode classifies an attempt's error: "" for none, the API error
// code when AWS answered, "Canceled" when the caller gave up, else
// "NetworkError" (no answer from AWS).
func errorCode(ctx context.Context, err error) string {
	if err == nil {
		return ""
	}
	var invalid *InvalidAnswerError
	if errors.As(err, &invalid) {
		return "InvalidAnswer"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
		return apiErr.ErrorCode()
	}
	var canceled *aws.RequestCanceledError
	if errors.As(err, &canceled) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return "Canceled"
	}
	return "NetworkError"
}
