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
	if _, ok := c.m[query]; ok || len(c.m) >= maxStatements {
		return nil
	}
	c.m[query] = nil // being prepared
	go c.prepare(query)
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

// close closes every cached statement.
func (c *statements) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.m {
		if st != nil {
			st.Close()
		}
		delete(c.m, q)
	}
}
