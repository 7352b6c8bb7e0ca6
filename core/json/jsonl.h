/* jsonl: streaming JSON Lines reader and crash-safe writer (pure C, no JSON parsing here).
 *
 * The reader reads fixed chunks and keeps only the current line, so its memory stays within
 * max_line + JSONL_CHUNK (+3 bytes) whatever the file size. The writer hands whole lines to
 * write(2) only, and on append repairs a file whose last line was torn by a crash. */
#ifndef RATIO_JSONL_H
#define RATIO_JSONL_H

#include <stddef.h>

#define JSONL_DEFAULT_MAX_LINE ((size_t)64 << 20) /* 64 MiB */
#define JSONL_CHUNK ((size_t)64 << 10)            /* read size, and the writer's flush threshold */

typedef struct jsonl_reader jsonl_reader_t;
typedef struct jsonl_writer jsonl_writer_t;

/* Open path ("-" = stdin) for reading; max_line 0 means JSONL_DEFAULT_MAX_LINE. On failure: NULL,
 * and one line naming the path and the reason in err, e.g. "data/x.jsonl: is a directory". */
jsonl_reader_t *jsonl_open(const char *path, size_t max_line, char *err, size_t errlen);

/* Next non-blank line without its line ending (a trailing '\r' and a leading UTF-8 BOM on line 1
 * are removed), NUL-terminated at (*line)[*len] and valid until the next call. Returns 1 for a
 * line, 0 at end of input, -1 on error (see jsonl_error). After "line longer than N bytes" the
 * next call resumes at the following line; a read error is final. */
int jsonl_next(jsonl_reader_t *r, const char **line, size_t *len);

/* Message of the last -1, as "PATH:LINE: line longer than N bytes" or "PATH:LINE: read error:
 * REASON"; "" if there was none. */
const char *jsonl_error(const jsonl_reader_t *r);

/* 1-based physical line number of the last line returned or rejected (blank lines count). */
long jsonl_lineno(const jsonl_reader_t *r);

/* Bytes the reader holds allocated for its line buffer (lets tests check the memory bound). */
size_t jsonl_buffer_size(const jsonl_reader_t *r);

/* Close the file (stdin is left open) and free the reader; NULL is accepted. */
void jsonl_close(jsonl_reader_t *r);

/* Open path ("-" = stdout) for writing, created 0644 if missing. append = 0 truncates; append = 1
 * keeps the content but first cuts a torn last line (no final '\n') back to the last '\n'.
 * On failure returns NULL with "PATH: REASON" in err. */
jsonl_writer_t *jsonl_writer_open(const char *path, int append, char *err, size_t errlen);

/* Bytes cut from a torn last line when the writer was opened (0 if the file ended cleanly). */
long long jsonl_writer_recovered_bytes(const jsonl_writer_t *w);

/* Queue one line: `json` is a complete JSON text without newline; '\n' is added. Full lines are
 * written once JSONL_CHUNK bytes are queued. Returns 0, or -1 for an empty text, an embedded '\n'
 * (nothing queued) or a failed write (sticky; see jsonl_writer_error). */
int jsonl_write(jsonl_writer_t *w, const char *json, size_t len);

/* Write every queued line now. Returns 0 or -1. */
int jsonl_flush(jsonl_writer_t *w);

/* jsonl_flush, then fsync(2) so the lines survive a power loss. Returns 0 or -1. */
int jsonl_fsync(jsonl_writer_t *w);

/* Message of the last -1 ("PATH: write error: REASON", ...), "" if none. */
const char *jsonl_writer_error(const jsonl_writer_t *w);

/* Flush, close and free (NULL is accepted). Returns 0, or -1 with the reason in err when the
 * final flush or close(2) failed (err may be NULL). */
int jsonl_writer_close(jsonl_writer_t *w, char *err, size_t errlen);

#endif
