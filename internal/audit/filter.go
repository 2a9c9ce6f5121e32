package audit

import "time"

// Filter narrows a reading of the audit log.
type Filter struct {
	ActorID  int64
	Record   string
	Since    time.Time
	Until    time.Time
	AfterSeq int64 // for paging: entries after this seq
	Limit    int   // 0 for all
}
