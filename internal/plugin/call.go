package plugin

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/hookpoint/hookpoint/sdk"
)

// PanicError is a handler's panic turned into an error.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// Call runs a webhook handler, turning a panic into a *PanicError.
func Call(ctx context.Context, h sdk.Handler, req *sdk.Request) (resp *sdk.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return h.ServeWebhook(ctx, req)
}

// CallTask runs a task handler, turning a panic into a *PanicError.
func CallTask(ctx context.Context, w *WorkerSpec, t *sdk.Task) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return w.Handler(ctx, t)
}
