package store

// A RedoableBatch is a Batch whose writes are done again if they are lost:
// the queue's completions, which leave their row leased until they
// commit, so that a completion lost in a crash of the database server
// leaves a lease that expires and a run that is rescued and repeated, its
// effects with it (they are written in the completion's transaction).
// On PostgreSQL a transaction made only of such writes commits without
// waiting for its WAL to reach the disk (synchronous_commit off for that
// transaction): the next transaction that waits, an acknowledged delivery
// say, flushes it with its own. A crash of Hookpoint loses nothing of it;
// only a crash of the database server's machine can, the last fraction of
// a second of it.
type RedoableBatch interface {
	Batch
	// Redoable marks the batch.
	Redoable()
}

// asyncCommitSQL makes the transaction it runs in commit without waiting
// for the WAL flush.
const asyncCommitSQL = `SELECT set_config('synchronous_commit', 'off', true)`

// redoable reports whether every write of ops is a RedoableBatch's.
func redoable(ops []*writeOp) bool {
	for _, op := range ops {
		if _, ok := op.batch.(RedoableBatch); !ok {
			return false
		}
	}
	return true
}
