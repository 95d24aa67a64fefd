package trail

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// queue delivers events to one target in order: the head is retried with
// exponential backoff until the target accepts it, then the next is sent.
type queue struct {
	target     Target
	max        int
	maxBackoff time.Duration
	log        *slog.Logger

	mu      sync.Mutex
	cond    *sync.Cond
	items   [][]byte
	dropped int
	stopped bool
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
}

func newQueue(tg Target, max int, maxBackoff time.Duration, log *slog.Logger) *queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{target: tg, max: max, maxBackoff: maxBackoff, log: log, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push enqueues an event; a full queue drops it (the JSONL file still has it)
// rather than stall the API call that produced it.
func (q *queue) push(b []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.max {
		q.dropped++
		if q.dropped == 1 || q.dropped%1000 == 0 {
			q.log.Warn("trail: target queue full, dropping events", "dropped", q.dropped)
		}
		return
	}
	q.items = append(q.items, b)
	q.cond.Signal()
}

func (q *queue) droppedCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}

func (q *queue) run() {
	defer close(q.done)
	backoff := 50 * time.Millisecond
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.stopped {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			q.mu.Unlock()
			return
		}
		head := q.items[0]
		q.mu.Unlock()

		ctx, cancel := context.WithTimeout(q.ctx, 10*time.Second)
		err := q.target.Deliver(ctx, head)
		cancel()
		if err == nil {
			q.mu.Lock()
			q.items[0] = nil
			q.items = q.items[1:]
			q.mu.Unlock()
			backoff = 50 * time.Millisecond
			continue
		}
		q.log.Warn("trail: delivery failed, will retry", "err", err, "backoff", backoff.String())
		select {
		case <-q.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, q.maxBackoff)
	}
}

// stop lets the worker drain until deadline, then cancels it; it returns how many
// events were left undelivered.
func (q *queue) stop(deadline time.Time) int {
	q.mu.Lock()
	q.stopped = true
	q.cond.Broadcast()
	q.mu.Unlock()
	select {
	case <-q.done:
	case <-time.After(time.Until(deadline)):
		q.cancel()
		<-q.done
	}
	q.cancel()
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
