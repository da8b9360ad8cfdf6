// Process-wide settings for glet's serving processes (frontend, backend, proxy, client, serve),
// applied once at the start of main() before any thread or gRPC object exists.
//
// Contract: TuneProcessForServing() turns off Abseil's mutex deadlock detector. Debian builds
// Abseil without NDEBUG, so the detector is on by default and records a lock-order graph (with
// stack traces) on every absl::Mutex acquisition inside gRPC: about 3% of a frontend's CPU per
// request under load, and it would abort the process on a suspected cycle. Release builds of
// Abseil, as production gRPC servers use, have it off. Idempotent; safe to call more than once.
#pragma once

namespace glet::serve {

void TuneProcessForServing();

}  // namespace glet::serve
