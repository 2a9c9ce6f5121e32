package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// maxStatements bounds the statements a cache keeps. Puente's queries are
// a few hundred texts; those built with a list of ids (IN (?, ?, …)) vary
// with its length, and past the bound they are prepared each time, as
// before there was a cache.
const maxStatements = 512

// statements caches the prepared statements of one pool, for SQLite:
// parsing and planning a statement cost a tenth of the server's time
// under load. database/sql prepares a cached statement once on each
// connection that runs it, and again inside a transaction only when that
// connection has not yet (Tx.StmtContext). PostgreSQL's driver keeps its
// own cache, so it gets none.
type statements struct {
	pool   *sql.DB
	mu     sync.RWMutex
	m      map[string]*sql.Stmt // nil while being prepared, or when it failed
	closed bool
	// preparing counts the statements being prepared in the background:
	// close waits for them, so that when DB.Close returns no connection
	// is left to close later (the last SQLite connection to close
	// checkpoints the WAL, and another process opening the file then
	// would find it busy).
	preparing sync.WaitGroup
}

func newStatements(pool *sql.DB) *statements {
	return &statements{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns the statement for query, or nil: then the caller runs query
// unprepared, and a statement new to the cache is prepared meanwhile, in
// the background, for the next time. It cannot be prepared here: inside a
// transaction on SQLite's one write connection, preparing on the pool
// would wait for that very connection.
func (c *statements) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[query]; ok || c.closed || len(c.m) >= maxStatements {
		return nil
	}
	c.m[query] = nil // being prepared
	c.preparing.Go(func() { c.prepare(query) })
	return nil
}

func (c *statements) prepare(query string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := c.pool.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		// Run unprepared from now on; it reports its own error there.
		return
	}
	if c.closed {
		st.Close()
		return
	}
	c.m[query] = st
}

// close waits for the statements being prepared and closes every cached
// statement.
func (c *statements) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		if st != nil {
			st.Close()
		}
		delete(c.m, q)
	}
}
