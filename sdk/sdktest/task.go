package sdktest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hookpoint/hookpoint/sdk"
)

// TaskState is where an enqueued task stands.
type TaskState string

// The task states, named as in the server's task listings.
const (
	// TaskPending waits for a run: never run yet, or failed and due to
	// be retried, or snoozed.
	TaskPending TaskState = "pending"
	// TaskRunning is being run by [Host.RunTask].
	TaskRunning TaskState = "running"
	// TaskDone succeeded.
	TaskDone TaskState = "done"
	// TaskDead failed for good: its handler returned a permanent error
	// (see [sdk.IsPermanent]) or failed its last attempt.
	TaskDead TaskState = "dead"
	// TaskCancelled was cancelled with [Host.CancelTask] before it ran.
	TaskCancelled TaskState = "cancelled"
)

// EnqueuedTask is a task stored by [Host.Enqueue], as [Host.Enqueued]
// reports it.
type EnqueuedTask struct {
	// ID is the id Enqueue returned: "<kind>-<n>", n counting the
	// host's tasks from 1. Plugins must treat task ids as opaque; the
	// server's look different.
	ID string
	// Kind is args.Kind().
	Kind string
	// Args is the JSON encoding of the arguments.
	Args json.RawMessage
	// Opts are the options given to Enqueue (zero for nil).
	Opts sdk.EnqueueOpts
	// State is where the task stands.
	State TaskState
	// Attempts counts the runs that used an attempt: not snoozed ones,
	// nor ones stopped because RunTask's context ended.
	Attempts int
	// LastErr is the error of the task's last run, nil if it succeeded
	// or has not run.
	LastErr error
}

type taskRecord struct {
	EnqueuedTask
	maxAttempts int
}

// runKey marks the context of a task run, so that Send and Enqueue can
// hold their effects until the run ends.
type runKey struct{}

// taskRun holds what a task run sent and enqueued until it ends.
type taskRun struct {
	host   *Host
	id     string
	over   bool
	sent   []SentMessage
	tasks  []newTask
	cancel context.CancelCauseFunc
}

type newTask struct {
	id   string // reserved in a run; "" takes the next
	kind string
	args json.RawMessage
	opts sdk.EnqueueOpts
}

// runOf returns the task run ctx belongs to, if it is one of h's. h.mu
// must be held.
func (h *Host) runOf(ctx context.Context) *taskRun {
	if run, ok := ctx.Value(runKey{}).(*taskRun); ok && run.host == h {
		return run
	}
	return nil
}

// Worker records w. Like the server, it refuses a worker with no Kind or
// no Handler and a second worker of the same kind.
func (h *Host) Worker(w sdk.Worker) error {
	if w.Kind == "" || w.Handler == nil {
		return fmt.Errorf("plugin %s: a worker needs a Kind and a Handler", h.id)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.workerLocked(w.Kind); dup {
		return fmt.Errorf("plugin %s: worker %s is registered twice", h.id, w.Kind)
	}
	h.workers = append(h.workers, w)
	return nil
}

func (h *Host) workerLocked(kind string) (sdk.Worker, bool) {
	for _, w := range h.workers {
		if w.Kind == kind {
			return w, true
		}
	}
	return sdk.Worker{}, false
}

// Workers returns the registered workers in the order they were
// registered.
func (h *Host) Workers() []sdk.Worker {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.workers)
}

// Enqueue stores a task for the worker of args.Kind(), which must be
// registered, and returns its id. It fails if ctx is done or args do not
// encode as JSON. A task with a UniqueKey is not stored again while a
// task of the same kind and key is pending or running: Enqueue returns
// that task's id instead.
//
// Called from a task run by [Host.RunTask], Enqueue behaves as the
// server's: it returns the id the task will have (or that of the pending
// task its unique key names), and the task is stored only if the run
// succeeds.
func (h *Host) Enqueue(ctx context.Context, args sdk.TaskArgs, opts *sdk.EnqueueOpts) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if args == nil {
		return "", fmt.Errorf("plugin %s: Enqueue with nil args", h.id)
	}
	kind := args.Kind()
	h.mu.Lock()
	_, ok := h.workerLocked(kind)
	h.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("enqueueing %s: plugin %s has no worker of that kind", kind, h.id)
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "", fmt.Errorf("encoding %s task arguments: %w", kind, err)
	}
	var o sdk.EnqueueOpts
	if opts != nil {
		o = *opts
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	nt := newTask{kind: kind, args: b, opts: o}
	if run := h.runOf(ctx); run != nil {
		if run.over {
			return "", fmt.Errorf("sdktest: Enqueue called after task %s returned", run.id)
		}
		if id := h.uniqueLocked(nt); id != "" {
			return id, nil
		}
		nt.id = h.nextIDLocked(kind)
		run.tasks = append(run.tasks, nt)
		return nt.id, nil
	}
	return h.storeLocked(nt), nil
}

// uniqueLocked returns the id of the pending or running task with nt's
// kind and unique key, or "". h.mu must be held.
func (h *Host) uniqueLocked(nt newTask) string {
	if nt.opts.UniqueKey == "" {
		return ""
	}
	for _, t := range h.tasks {
		if t.Kind == nt.kind && t.Opts.UniqueKey == nt.opts.UniqueKey && (t.State == TaskPending || t.State == TaskRunning) {
			return t.ID
		}
	}
	return ""
}

// nextIDLocked returns a new task id. h.mu must be held.
func (h *Host) nextIDLocked(kind string) string {
	h.taskSeq++
	return fmt.Sprintf("%s-%d", kind, h.taskSeq)
}

// storeLocked stores a task, or returns the id of the pending or running
// task with the same kind and unique key. h.mu must be held.
func (h *Host) storeLocked(nt newTask) string {
	if id := h.uniqueLocked(nt); id != "" {
		return id
	}
	w, _ := h.workerLocked(nt.kind)
	maxAttempts := w.Retry.WithDefaults().MaxAttempts
	if nt.opts.MaxAttempts > 0 {
		maxAttempts = nt.opts.MaxAttempts
	}
	id := nt.id
	if id == "" {
		id = h.nextIDLocked(nt.kind)
	}
	h.tasks = append(h.tasks, &taskRecord{
		EnqueuedTask: EnqueuedTask{ID: id, Kind: nt.kind, Args: nt.args, Opts: nt.opts, State: TaskPending},
		maxAttempts:  maxAttempts,
	})
	return id
}

// Enqueued returns every task stored so far, in the order they were
// stored, whatever their state.
func (h *Host) Enqueued() []EnqueuedTask {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]EnqueuedTask, len(h.tasks))
	for i, t := range h.tasks {
		out[i] = t.EnqueuedTask
		out[i].Args = slices.Clone(t.Args)
	}
	return out
}

// Task returns the stored task with the given id.
func (h *Host) Task(id string) (EnqueuedTask, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.taskLocked(id)
	if t == nil {
		return EnqueuedTask{}, false
	}
	out := t.EnqueuedTask
	out.Args = slices.Clone(t.Args)
	return out, true
}

func (h *Host) taskLocked(id string) *taskRecord {
	for _, t := range h.tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// CancelTask cancels a task as the server does: a pending one does not
// run; a running one (in RunTask) has its context cancelled with cause
// [sdk.ErrTaskCancelled] and ends cancelled. It reports whether the task
// was pending or running; an unknown id is not an error.
func (h *Host) CancelTask(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.taskLocked(id)
	switch {
	case t == nil:
		return false, nil
	case t.State == TaskPending:
		t.State = TaskCancelled
		return true, nil
	case t.State == TaskRunning && h.running[id] != nil:
		h.running[id].cancel(sdk.ErrTaskCancelled)
		return true, nil
	}
	return false, nil
}

// Progress returns the last status a task recorded with
// [sdk.Task.Progress], or "".
func (h *Host) Progress(id string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.progress[id]
}

// RunTasks runs every pending task once, in the order the server would
// start them if they were all due: by Opts.Delay, then in the order they
// were stored (it never sleeps). Tasks enqueued by these runs, and tasks
// a run leaves pending (retried or snoozed), wait for the next call. It
// stops early when ctx ends. It returns the runs' errors joined, each
// prefixed with its task id; see [Host.RunTask].
func (h *Host) RunTasks(ctx context.Context) error {
	h.mu.Lock()
	var due []*taskRecord
	for _, t := range h.tasks {
		if t.State == TaskPending {
			due = append(due, t)
		}
	}
	h.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *taskRecord) int {
		return cmp.Compare(a.Opts.Delay, b.Opts.Delay)
	})
	var errs []error
	for _, t := range due {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		ran, err := h.runTask(ctx, t.ID)
		if ran && err != nil {
			errs = append(errs, fmt.Errorf("task %s: %w", t.ID, err))
		}
	}
	return errors.Join(errs...)
}

// RunTask runs the pending task id once through its worker's Handler and
// returns the handler's error as is. It fails without running if the task
// is unknown or not pending.
//
// The handler gets an [sdk.Task] with the task's ID, Kind and Args,
// Attempt (1 on the first run), MaxAttempts (Opts.MaxAttempts or the
// worker's retry policy), a Logger tagged with the task, and Progress,
// which [Host.Progress] reports. Its context is ctx, bounded by the
// worker's Timeout if it has one. As on the server, messages it sends and
// tasks it enqueues take effect only if it returns nil.
//
// Afterwards the task is TaskDone on success; TaskDead on a permanent
// error ([sdk.IsPermanent]) or a failed last attempt; otherwise pending
// again, with the attempt counted unless the handler snoozed
// ([sdk.Snooze]) or returned context.Canceled because ctx ended (the
// server's shutdown). Backoff is not modelled: the next RunTask runs it
// at once.
func (h *Host) RunTask(ctx context.Context, id string) error {
	_, err := h.runTask(ctx, id)
	return err
}

// runTask runs a task and reports whether it ran.
func (h *Host) runTask(ctx context.Context, id string) (bool, error) {
	h.mu.Lock()
	t := h.taskLocked(id)
	if t == nil {
		h.mu.Unlock()
		return false, fmt.Errorf("sdktest: plugin %s has no task %q", h.id, id)
	}
	if t.State != TaskPending {
		h.mu.Unlock()
		return false, fmt.Errorf("sdktest: task %s is %s, not pending", id, t.State)
	}
	w, _ := h.workerLocked(t.Kind)
	t.State = TaskRunning
	attempt := t.Attempts + 1
	task := &sdk.Task{
		ID:          t.ID,
		Kind:        t.Kind,
		Args:        slices.Clone(t.Args),
		Attempt:     attempt,
		MaxAttempts: t.maxAttempts,
		Logger:      h.logger.With("task", t.Kind, "task_id", t.ID, "attempt", attempt),
		Progress: func(ctx context.Context, status string) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			h.progress[id] = status
			return nil
		},
	}
	h.mu.Unlock()

	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	run := &taskRun{host: h, id: id, cancel: cancel}
	h.mu.Lock()
	h.running[id] = run
	h.mu.Unlock()
	rctx := context.WithValue(cctx, runKey{}, run)
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(rctx, w.Timeout)
		defer cancel()
	}
	err := w.Handler(rctx, task)
	if cause := context.Cause(cctx); errors.Is(cause, sdk.ErrTaskCancelled) {
		err = cause // whatever the handler answered
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.running, id)
	run.over = true
	t.LastErr = err
	var snooze *sdk.SnoozeError
	switch {
	case errors.Is(err, sdk.ErrTaskCancelled):
		t.Attempts = attempt
		t.State = TaskCancelled
	case err == nil:
		t.Attempts = attempt
		t.State = TaskDone
		h.sent = append(h.sent, run.sent...)
		for _, nt := range run.tasks {
			h.storeLocked(nt)
		}
	case errors.As(err, &snooze):
		t.State = TaskPending
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		t.State = TaskPending
	case sdk.IsPermanent(err):
		t.Attempts = attempt
		t.State = TaskDead
	default:
		t.Attempts = attempt
		t.State = TaskPending
		if attempt >= t.maxAttempts {
			t.State = TaskDead
		}
	}
	return true, err
}
