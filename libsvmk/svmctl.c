// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * svmctl: list, show, create, remove and wire svm regions from the shell,
 * in the manner of ipcs(1) and lsipc(1).  The list is a libsmartcols table,
 * with the output options of lsblk(8) and lsipc(1).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <libsmartcols.h>

#include "svmk.h"

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Enough for any cell of the list table and any formatted number. */
#define CELL_MAX	(SVM_NAME_MAX + 16)

/* --for takes at most this many seconds (a bit over 68 years). */
#define HOLD_MAX	INT32_MAX

/* How list prints its table (info and window know text and JSON only). */
enum format { FMT_TABLE, FMT_RAW, FMT_PAIRS, FMT_JSON };

struct options {
	enum format format;
	const char *output;		/* list -o COLS, or +COLS */
	bool bytes;			/* list: sizes in bytes */
	bool noheadings;
	const char *list_only;		/* the first option only list takes */
	bool sysv;			/* list --sysv: the SysV segments */
	bool mode_set;
	bool persist;			/* accepted, created regions persist */
	bool huge;			/* create with SVM_OPEN_HUGE */
	unsigned int mode;
	long hold;			/* mlock --for seconds, -1: until a signal */
};

static const char usage_text[] =
	"Usage: svmctl [-J|-P|-r] [-n] [-b] [-o COLS] list [--sysv]\n"
	"       svmctl [-J] info NAME\n"
	"       svmctl [-J] window\n"
	"       svmctl create NAME SIZE [--mode MODE] [--persist] [--huge]\n"
	"       svmctl rm NAME\n"
	"       svmctl chmod MODE NAME\n"
	"       svmctl chown USER[:GROUP] NAME\n"
	"       svmctl lock|unlock NAME\n"
	"       svmctl mlock NAME [--for SECONDS]\n"
	"       svmctl munlock NAME\n"
	"       svmctl [-J] watch NAME\n"
	"       svmctl -h|--help|--version\n"
	"\n"
	"Show and manage the named shared-memory regions of the svm module.\n"
	"\n"
	"Commands:\n"
	"  list      list the regions, removed ones still in use included;\n"
	"            --sysv: the SysV segments of libsvmk-sysv (regions named\n"
	"            sysv:KEY or sysv:private:...), as ipcs -m prints them\n"
	"  info      show one region and the processes mapping it\n"
	"  window    show the address window, its usage and the module limits\n"
	"  create    create a region of SIZE bytes (suffixes K, M, G, T are\n"
	"            powers of 1024) that persists until removed; print its\n"
	"            address (--huge: in 2 MiB transparent huge pages)\n"
	"  rm        remove a region's name; its memory lives on while in use\n"
	"  chmod     set a region's mode (octal, 0 to 0777); print what it has\n"
	"  chown     set a region's owner, and group with :GROUP (USER: is the\n"
	"            user's login group, :GROUP the group only), by name or\n"
	"            number; print what it has.  Open file descriptors keep\n"
	"            their access, the next open checks the new attributes;\n"
	"            the creator stays charged for the region\n"
	"  lock      take an SVID lock: the region is wired (its pages populated\n"
	"            and unevictable) until as many unlocks; print its wiring\n"
	"  unlock    drop one SVID lock; print the region's wiring\n"
	"  mlock     map the region read-only and mlock(2) svmctl's mapping,\n"
	"            then hold it until SIGINT or SIGTERM (or for SECONDS):\n"
	"            the mlock belongs to the mapping and ends with it\n"
	"  munlock   munlock(2) svmctl's own mapping (it holds none) and list\n"
	"            the processes that mlock the region: each process's mlock\n"
	"            ends when it munlocks, or when it stops mapping the region\n"
	"  watch     print the region's events as they happen, a line each:\n"
	"            time, type (attach, detach, wired, unwired, removed,\n"
	"            destroyed, overflow), pid, cause (unmap, exec, exit,\n"
	"            signal SIGNAME, oom, unknown) or wiring source (svid,\n"
	"            mlock), and the number of mappers after it; until the\n"
	"            region is destroyed, SIGINT or SIGTERM (exit status 0)\n"
	"\n"
	"A region is wired while any process mlocks its mapping of it or its\n"
	"SVID lock count is above 0.  mlock(2) is charged by the kernel to the\n"
	"mapper (VmLck); the first SVID lock is charged once to its user against\n"
	"RLIMIT_MEMLOCK (unless CAP_IPC_LOCK).  SVID lock and unlock need the\n"
	"region's owner or creator, or CAP_IPC_LOCK.  rm, chmod and chown need\n"
	"the region's owner or creator, or CAP_SYS_ADMIN; chmod and chown also\n"
	"open the region, which needs read permission (or CAP_IPC_OWNER).\n"
	"\n"
	"Options:\n"
	"  -J, --json          print JSON (list, info, window; watch: an object\n"
	"                      a line)\n"
	"  -o, --output COLS   list: the columns to print, comma-separated;\n"
	"                      +COLS adds them to the default ones\n"
	"  -b, --bytes         list: sizes in bytes, not 64K, 1.5G ...\n"
	"  -n, --noheadings    list: no header line\n"
	"  -r, --raw           list: columns one space apart, unaligned\n"
	"  -P, --pairs         list: COLUMN=\"value\" pairs, a line per region\n"
	"      --sysv          list: SysV segments only, ipcs -m's columns\n"
	"      --mode MODE     octal permission bits for create (default 0600)\n"
	"      --persist       accepted for clarity: created regions persist\n"
	"      --huge          create: SVM_OPEN_HUGE, size rounded up to 2 MiB\n"
	"      --for SECONDS   mlock: hold that long (a signal still ends it)\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n"
	"\n"
	"A NAME starting with '-' must come after \"--\".\n"
	"Environment: SVMK_DEVICE replaces " SVM_DEVICE ".\n"
	"Exit status: 0 success, 1 error (an unknown column too), 2 bad usage.\n";

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("svmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'svmctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* Print "svmctl: <what>: <explanation of err>" and return the exit code. */
static int __attribute__((format(printf, 2, 3)))
fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("svmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", svmk_strerror(err));
	return EXIT_FAILURE;
}

/* Print "svmctl: <message>" and return the exit code. */
static int __attribute__((format(printf, 1, 2)))
error_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("svmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static const char *device_path(void)
{
	const char *path = secure_getenv("SVMK_DEVICE");

	return path && *path ? path : SVM_DEVICE;
}

/* svmctl never maps anything, so it does not reserve the window. */
static int open_device(struct svmk **svm)
{
	int ret = svmk_open(svm, SVMK_NORESERVE);

	return ret < 0 ? fail(ret, "%s", device_path()) : 0;
}

/*
 * SIZE: decimal bytes, optionally followed by K, M, G or T (powers of 1024,
 * any case) and then by an optional "B" or "iB".  Zero is refused.
 */
static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *unit;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unit = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (unit) {
		shift = 10 * (unit - units + 1);
		end++;
		if (tolower((unsigned char)end[0]) == 'i' &&
		    tolower((unsigned char)end[1]) == 'b')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || !v || v > UINT64_MAX >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* --for SECONDS: a decimal number of seconds, 0 to HOLD_MAX. */
static int parse_seconds(const char *s, long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > HOLD_MAX)
		return -1;
	*out = v;
	return 0;
}

static int parse_mode(const char *s, unsigned int *out)
{
	unsigned long v;

	if (!*s || s[strspn(s, "01234567")])
		return -1;
	v = strtoul(s, NULL, 8);
	if (v > 0777)
		return -1;
	*out = v;
	return 0;
}

/* 512B, 4.0K, 64M, 1.5G: one decimal below 10, none above. */
static const char *human_size(char *buf, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	double v = bytes;
	int u = 0;

	while (v >= 1023.5 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, CELL_MAX, "%" PRIu64 "B", bytes);
	else if (v < 9.95)
		snprintf(buf, CELL_MAX, "%.1f%c", v, units[u]);
	else
		snprintf(buf, CELL_MAX, "%.0f%c", v, units[u]);
	return buf;
}

/*
 * The name of a user or group id, through the name service switch, or the
 * number if it has none.
 */
static const char *id_name(char *buf, unsigned int id, bool group)
{
	const char *name = NULL;
	struct passwd *pw;
	struct group *gr;

	if (group && (gr = getgrgid(id)))
		name = gr->gr_name;
	else if (!group && (pw = getpwuid(id)))
		name = pw->pw_name;
	if (name)
		snprintf(buf, CELL_MAX, "%s", name);
	else
		snprintf(buf, CELL_MAX, "%u", id);
	return buf;
}

static const char *region_flags(char *buf, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ SVM_REGION_PERSIST, "persist" },
		{ SVM_REGION_REMOVED, "removed" },
		{ SVM_REGION_WIRED, "wired" },
		{ SVM_REGION_HUGE, "huge" },
		{ SVM_REGION_SYSV_LOCK, "sysv-lock" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		len += snprintf(buf + len, CELL_MAX - len, "%s%s",
				len ? "," : "", names[i].name);
		flags &= ~names[i].bit;
	}
	/* Bits a newer module reports are shown, not dropped. */
	if (flags)
		snprintf(buf + len, CELL_MAX - len, "%s0x%x", len ? "," : "",
			 flags);
	else if (!len)
		snprintf(buf, CELL_MAX, "-");
	return buf;
}

/* The WIRED cell: "-", or which sources hold it ("svid=2,mlock=1"). */
static const char *wired_cell(char *buf, const struct svm_info *in)
{
	size_t len = 0;

	buf[0] = '\0';
	if (!(in->flags & SVM_REGION_WIRED)) {
		snprintf(buf, CELL_MAX, "-");
		return buf;
	}
	if (in->svid_count)
		len += snprintf(buf, CELL_MAX, "svid=%u", in->svid_count);
	if (in->nr_mlocked)
		snprintf(buf + len, CELL_MAX - len, "%smlock=%u",
			 len ? "," : "", in->nr_mlocked);
	/* Wired by a source this svmctl does not know of. */
	if (!buf[0])
		snprintf(buf, CELL_MAX, "yes");
	return buf;
}

static uint64_t page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* ---- SysV segments: the regions of libsvmk-sysv ------------------------ */

#define SYSV_PREFIX		"sysv:"
#define SYSV_PRIVATE		"sysv:private:"
#define SYSV_KEY_DIGITS		8

/*
 * Whether the region is a SysV segment of libsvmk-sysv (svmk-sysv(7)):
 * named "sysv:" and the key in SYSV_KEY_DIGITS hexadecimal digits, or
 * "sysv:private:" and anything (IPC_PRIVATE, key 0).  *key is its key.
 */
static bool sysv_key(const struct svm_info *in, uint32_t *key)
{
	const char *hex = in->name + strlen(SYSV_PREFIX);
	size_t i;

	if (!strncmp(in->name, SYSV_PRIVATE, strlen(SYSV_PRIVATE))) {
		*key = 0;
		return true;
	}
	if (strncmp(in->name, SYSV_PREFIX, strlen(SYSV_PREFIX)) ||
	    strlen(hex) != SYSV_KEY_DIGITS)
		return false;
	for (i = 0; i < SYSV_KEY_DIGITS; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return false;
	*key = strtoul(hex, NULL, 16);
	return true;
}

/*
 * The KEY cell, as ipcs -m prints it: a removed segment's is 0, as Linux
 * shows one marked for destruction (its key is free for a new one).
 */
static const char *key_cell(char *buf, const struct svm_info *in)
{
	uint32_t key = 0;

	if (!sysv_key(in, &key) || in->flags & SVM_REGION_REMOVED)
		key = 0;
	snprintf(buf, CELL_MAX, "0x%08" PRIx32, key);
	return buf;
}

/* The STATUS cell of ipcs -m: "dest", "locked", both, or empty. */
static const char *status_cell(char *buf, const struct svm_info *in)
{
	bool dest = in->flags & SVM_REGION_REMOVED;

	snprintf(buf, CELL_MAX, "%s%s%s", dest ? "dest" : "",
		 dest && in->svid_count ? " " : "",
		 in->svid_count ? "locked" : "");
	return buf;
}

/* ---- the columns of list ---------------------------------------------- */

enum {
	COL_ID, COL_NAME, COL_ADDRESS, COL_ADDR, COL_SIZE, COL_LENGTH,
	COL_OWNER, COL_UID, COL_GID, COL_CUID, COL_CPID, COL_MODE,
	COL_MAPPERS, COL_NR_MAPPERS, COL_FDS, COL_NR_FDS, COL_RESIDENT,
	COL_RESIDENT_PAGES, COL_WIRED, COL_SVID_COUNT, COL_NR_MLOCKED,
	COL_CHARGED, COL_CHARGED_UID, COL_FLAGS, COL_CTIME_NS, COL_ATIME_NS,
	COL_DTIME_NS, COL_CHTIME_NS, COL_ASKED, COL_NR_ATTACHES, COL_CGID,
	COL_LPID, COL_KEY, COL_SHMID, COL_PERMS, COL_BYTES, COL_NATTCH,
	COL_STATUS, NR_COLS
};

/*
 * A column's name is its header and, in lower case, its JSON field (those
 * of the JSON default columns are svm(4)'s).  A size is human-readable,
 * or with --bytes a number of bytes; in JSON, MODE and FLAGS are decimal
 * numbers and WIRED a boolean.
 */
static const struct colinfo {
	const char *name;
	int flags;			/* SCOLS_FL_* */
	int json;			/* SCOLS_JSON_* */
	bool size;			/* human-readable unless --bytes */
	const char *help;
} colinfos[NR_COLS] = {
	[COL_ID] = { "ID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"region ID, unique while the module stays loaded" },
	[COL_NAME] = { "NAME", 0, SCOLS_JSON_STRING, false, "name" },
	[COL_ADDRESS] = { "ADDRESS", 0, SCOLS_JSON_STRING, false,
		"address, in hexadecimal" },
	[COL_ADDR] = { "ADDR", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"address, in decimal" },
	[COL_SIZE] = { "SIZE", SCOLS_FL_RIGHT, SCOLS_JSON_STRING, true,
		"size" },
	[COL_LENGTH] = { "LENGTH", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"size in bytes" },
	[COL_OWNER] = { "OWNER", 0, SCOLS_JSON_STRING, false,
		"owner's user name, or user ID" },
	[COL_UID] = { "UID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"owner's user ID" },
	[COL_GID] = { "GID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"group ID" },
	[COL_CUID] = { "CUID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"creator's user ID" },
	[COL_CPID] = { "CPID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"creator's process ID, 0 if not visible here" },
	[COL_MODE] = { "MODE", 0, SCOLS_JSON_NUMBER, false,
		"permission bits, in octal (JSON: a decimal number)" },
	[COL_MAPPERS] = { "MAPPERS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"number of processes mapping it" },
	[COL_NR_MAPPERS] = { "NR_MAPPERS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "the same as MAPPERS" },
	[COL_FDS] = { "FDS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"number of open region file descriptions" },
	[COL_NR_FDS] = { "NR_FDS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"the same as FDS" },
	[COL_RESIDENT] = { "RESIDENT", SCOLS_FL_RIGHT, SCOLS_JSON_STRING, true,
		"memory its pages take now" },
	[COL_RESIDENT_PAGES] = { "RESIDENT_PAGES", SCOLS_FL_RIGHT,
		SCOLS_JSON_NUMBER, false, "pages in memory now" },
	[COL_WIRED] = { "WIRED", 0, SCOLS_JSON_BOOLEAN, false,
		"what wires it: svid=N,mlock=N, or - (JSON: true or false)" },
	[COL_SVID_COUNT] = { "SVID_COUNT", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "SVID lock count" },
	[COL_NR_MLOCKED] = { "NR_MLOCKED", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "number of processes that mlock(2) the region" },
	[COL_CHARGED] = { "CHARGED", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"bytes charged for the SVID lock against RLIMIT_MEMLOCK" },
	[COL_CHARGED_UID] = { "CHARGED_UID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "user ID charged for the SVID lock" },
	[COL_FLAGS] = { "FLAGS", 0, SCOLS_JSON_NUMBER, false,
		"persist, removed, wired, huge, sysv-lock, - (JSON: the bits)" },
	[COL_CTIME_NS] = { "CTIME_NS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"creation time, nanoseconds since the Epoch" },
	[COL_ATIME_NS] = { "ATIME_NS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"last attach, nanoseconds since the Epoch, 0 if never" },
	[COL_DTIME_NS] = { "DTIME_NS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"last detach, nanoseconds since the Epoch, 0 if never" },
	[COL_CHTIME_NS] = { "CHTIME_NS", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "last change (creation, chmod, chown), ns since the Epoch" },
	[COL_ASKED] = { "ASKED", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"bytes asked for at creation, before rounding" },
	[COL_NR_ATTACHES] = { "NR_ATTACHES", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		false, "attaches since creation" },
	[COL_CGID] = { "CGID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"creator's group ID" },
	[COL_LPID] = { "LPID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"last attacher or detacher's process ID, 0 if not visible" },
	[COL_KEY] = { "KEY", 0, SCOLS_JSON_STRING, false,
		"SysV key, 0x00000000 if private or removed (ipcs -m)" },
	[COL_SHMID] = { "SHMID", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"SysV shmid: the region ID" },
	[COL_PERMS] = { "PERMS", 0, SCOLS_JSON_NUMBER, false,
		"permission bits, in octal as ipcs (JSON: a decimal number)" },
	[COL_BYTES] = { "BYTES", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"SysV size: the bytes asked for (ASKED)" },
	[COL_NATTCH] = { "NATTCH", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		"SysV attaches now: the processes mapping it (MAPPERS)" },
	[COL_STATUS] = { "STATUS", 0, SCOLS_JSON_STRING, false,
		"dest (removed), locked (SVID-locked); JSON: null if neither" },
};

static const int table_columns[] = {
	COL_ID, COL_NAME, COL_ADDRESS, COL_SIZE, COL_OWNER, COL_MODE,
	COL_MAPPERS, COL_FDS, COL_RESIDENT, COL_WIRED, COL_FLAGS,
};

/* The fields of svm(4)'s struct svm_info, in its order. */
static const int json_columns[] = {
	COL_ID, COL_NAME, COL_ADDR, COL_LENGTH, COL_UID, COL_GID, COL_CUID,
	COL_CPID, COL_MODE, COL_FLAGS, COL_WIRED, COL_SVID_COUNT,
	COL_NR_MLOCKED, COL_CHARGED, COL_CHARGED_UID, COL_NR_MAPPERS,
	COL_NR_FDS, COL_RESIDENT_PAGES, COL_CTIME_NS, COL_ATIME_NS,
	COL_DTIME_NS, COL_CHTIME_NS, COL_ASKED, COL_NR_ATTACHES, COL_CGID,
	COL_LPID,
};

/* list --sysv, in text and JSON: the columns of ipcs -m. */
static const int sysv_columns[] = {
	COL_KEY, COL_SHMID, COL_OWNER, COL_PERMS, COL_BYTES, COL_NATTCH,
	COL_STATUS,
};

/* The columns list prints, in order; a column may come twice. */
struct columns {
	int id[2 * NR_COLS];
	size_t n;
};

static int json_type(const struct colinfo *ci, const struct options *opt)
{
	if (ci->size)
		return opt->bytes ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING;
	return ci->json;
}

static const char *number(char *buf, uint64_t v)
{
	snprintf(buf, CELL_MAX, "%" PRIu64, v);
	return buf;
}

static const char *size_cell(char *buf, uint64_t bytes,
			     const struct options *opt)
{
	return opt->bytes ? number(buf, bytes) : human_size(buf, bytes);
}

/* Column col of region in, as text or as the column's JSON type. */
static const char *cell(char *buf, int col, const struct svm_info *in,
			const struct options *opt)
{
	bool json = opt->format == FMT_JSON;

	switch (col) {
	case COL_ID:
		return number(buf, in->id);
	case COL_NAME:
		return in->name;
	case COL_ADDRESS:
		snprintf(buf, CELL_MAX, "0x%" PRIx64, (uint64_t)in->addr);
		return buf;
	case COL_ADDR:
		return number(buf, in->addr);
	case COL_SIZE:
		return size_cell(buf, in->length, opt);
	case COL_LENGTH:
		return number(buf, in->length);
	case COL_OWNER:
		return id_name(buf, in->uid, false);
	case COL_UID:
		return number(buf, in->uid);
	case COL_GID:
		return number(buf, in->gid);
	case COL_CUID:
		return number(buf, in->cuid);
	case COL_CPID:
		snprintf(buf, CELL_MAX, "%d", in->cpid);
		return buf;
	case COL_MODE:
		snprintf(buf, CELL_MAX, json ? "%u" : "%04o", in->mode);
		return buf;
	case COL_MAPPERS:
	case COL_NR_MAPPERS:
		return number(buf, in->nr_mappers);
	case COL_FDS:
	case COL_NR_FDS:
		return number(buf, in->nr_fds);
	case COL_RESIDENT:
		return size_cell(buf, in->resident * page_size(), opt);
	case COL_RESIDENT_PAGES:
		return number(buf, in->resident);
	case COL_WIRED:
		if (json)	/* libsmartcols reads "0" as false */
			return in->flags & SVM_REGION_WIRED ? "1" : "0";
		return wired_cell(buf, in);
	case COL_SVID_COUNT:
		return number(buf, in->svid_count);
	case COL_NR_MLOCKED:
		return number(buf, in->nr_mlocked);
	case COL_CHARGED:
		return number(buf, in->charged);
	case COL_CHARGED_UID:
		return number(buf, in->charged_uid);
	case COL_FLAGS:
		return json ? number(buf, in->flags) :
			      region_flags(buf, in->flags);
	case COL_CTIME_NS:
		return number(buf, in->ctime_ns);
	case COL_ATIME_NS:
		return number(buf, in->atime_ns);
	case COL_DTIME_NS:
		return number(buf, in->dtime_ns);
	case COL_CHTIME_NS:
		return number(buf, in->chtime_ns);
	case COL_ASKED:
	case COL_BYTES:
		return number(buf, in->asked);
	case COL_NR_ATTACHES:
		return number(buf, in->nr_attaches);
	case COL_CGID:
		return number(buf, in->cgid);
	case COL_LPID:
		snprintf(buf, CELL_MAX, "%d", in->lpid);
		return buf;
	case COL_KEY:
		return key_cell(buf, in);
	case COL_SHMID:
		return number(buf, in->id);
	case COL_PERMS:
		snprintf(buf, CELL_MAX, json ? "%u" : "%o", in->mode);
		return buf;
	case COL_NATTCH:
		return number(buf, in->nr_mappers);
	case COL_STATUS:
		return status_cell(buf, in);
	}
	return "";
}

/* A column by name, any case, as util-linux takes them; -1 if none. */
static int column_id(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NR_COLS; i++)
		if (strlen(colinfos[i].name) == len &&
		    !strncasecmp(colinfos[i].name, name, len))
			return i;
	return -1;
}

/*
 * The columns of -o COLS, or of the format's defaults followed by those
 * of -o +COLS.  Returns 0 or the exit code.
 */
static int select_columns(const struct options *opt, struct columns *c)
{
	const char *s = opt->output;
	const int *def = table_columns;
	size_t i, len, ndef = ARRAY_SIZE(table_columns);
	int id;

	if (opt->sysv) {
		def = sysv_columns;
		ndef = ARRAY_SIZE(sysv_columns);
	} else if (opt->format == FMT_JSON) {
		def = json_columns;
		ndef = ARRAY_SIZE(json_columns);
	}
	c->n = 0;
	if (!s || *s == '+') {
		for (i = 0; i < ndef; i++)
			c->id[c->n++] = def[i];
		if (!s)
			return 0;
		s++;
	}
	for (;;) {
		len = strcspn(s, ",");
		id = column_id(s, len);
		if (id < 0)
			return error_msg("unknown column: %.*s", (int)len, s);
		if (c->n == ARRAY_SIZE(c->id))
			return error_msg("too many columns");
		c->id[c->n++] = id;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* "title A,B,C" of the columns ids[n], wrapped at a comma. */
static void print_column_names(const char *title, const int *ids, size_t n)
{
	int len = printf("%s", title);
	const char *name;
	size_t i;

	for (i = 0; i < n; i++) {
		name = colinfos[ids[i]].name;
		if (len + strlen(name) + 1 > 78)
			len = printf("\n  ") - 1;
		len += printf("%s%s", name, i + 1 < n ? "," : "\n");
	}
}

static void print_column_help(void)
{
	size_t i;

	fputs("\nAvailable output columns (list):\n", stdout);
	for (i = 0; i < NR_COLS; i++)
		printf(" %14s  %s%s\n", colinfos[i].name, colinfos[i].help,
		       colinfos[i].size ? " (human-readable unless --bytes)" :
		       "");
	print_column_names("Default columns: ", table_columns,
			   ARRAY_SIZE(table_columns));
	print_column_names("Default columns with --json: ", json_columns,
			   ARRAY_SIZE(json_columns));
	print_column_names("Default columns with --sysv: ", sysv_columns,
			   ARRAY_SIZE(sysv_columns));
}

/* ---- JSON of info ------------------------------------------------------ */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * The fields of one region, those of list --json, without the closing
 * brace: one object, which libsmartcols (a table of lines) cannot print.
 */
static void json_region(const struct svm_info *in)
{
	const struct options json = { .format = FMT_JSON };
	const struct colinfo *ci;
	char buf[CELL_MAX];
	const char *v, *c;
	size_t i;
	int type;

	for (i = 0; i < ARRAY_SIZE(json_columns); i++) {
		ci = &colinfos[json_columns[i]];
		v = cell(buf, json_columns[i], in, &json);
		type = json_type(ci, &json);
		fputs(i ? ",\n  \"" : "{\n  \"", stdout);
		for (c = ci->name; *c; c++)
			putchar(tolower((unsigned char)*c));
		fputs("\": ", stdout);
		if (type == SCOLS_JSON_STRING)
			json_string(v);
		else if (type == SCOLS_JSON_BOOLEAN)
			fputs(strcmp(v, "0") ? "true" : "false", stdout);
		else
			fputs(v, stdout);
	}
}

/* ---- list -------------------------------------------------------------- */

/* All regions, in id order, into a malloc'ed array. */
static int read_regions(struct svmk *svm, struct svm_info **out, size_t *nr)
{
	const unsigned int chunk = 64;
	struct svm_info *v = NULL, *nv;
	uint64_t cursor = 0;
	size_t n = 0;
	int ret;

	do {
		nv = realloc(v, (n + chunk) * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		ret = svmk_list(svm, &cursor, v + n, chunk);
		if (ret > 0)
			n += ret;
	} while (ret > 0);

	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* The table, its JSON or its pairs: libsmartcols prints them all. */
static int print_list(const struct svm_info *v, size_t n,
		      const struct columns *c, const struct options *opt)
{
	struct libscols_table *tb = scols_new_table();
	const struct colinfo *ci;
	struct libscols_column *cl;
	struct libscols_line *ln;
	char buf[CELL_MAX];
	uint32_t key;
	size_t i, k;
	int ret = -ENOMEM;

	if (!tb)
		return fail(ret, "list regions");
	if (scols_table_set_name(tb, opt->sysv ? "segments" : "regions") ||
	    scols_table_enable_json(tb, opt->format == FMT_JSON) ||
	    scols_table_enable_raw(tb, opt->format == FMT_RAW) ||
	    scols_table_enable_export(tb, opt->format == FMT_PAIRS) ||
	    scols_table_enable_noheadings(tb, opt->noheadings))
		goto out;
	for (k = 0; k < c->n; k++) {
		ci = &colinfos[c->id[k]];
		cl = scols_table_new_column(tb, ci->name, 0, ci->flags);
		if (!cl || scols_column_set_json_type(cl, json_type(ci, opt)))
			goto out;
	}
	for (i = 0; i < n; i++) {
		if (opt->sysv && !sysv_key(&v[i], &key))
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			goto out;
		for (k = 0; k < c->n; k++)
			if (scols_line_set_data(ln, k, cell(buf, c->id[k],
							    &v[i], opt)))
				goto out;
	}
	ret = scols_print_table(tb);
out:
	scols_unref_table(tb);
	return ret ? fail(ret, "list regions") : 0;
}

static int cmd_list(char **argv, const struct options *opt)
{
	struct svm_info *v;
	struct columns c;
	struct svmk *svm;
	size_t n;
	int ret;

	(void)argv;
	ret = select_columns(opt, &c);
	if (ret)
		return ret;
	ret = open_device(&svm);
	if (ret)
		return ret;
	ret = read_regions(svm, &v, &n);
	svmk_close(svm);
	if (ret < 0)
		return fail(ret, "list regions of %s", device_path());

	ret = print_list(v, n, &c, opt);
	free(v);
	return ret;
}

/* ---- region fds, mapper lists and wiring state ------------------------ */

/*
 * A region fd without a mapping, so that svmctl is no mapper: read-only,
 * never creating.  Returns the fd or -errno; fills *op.
 */
static int open_region_fd(struct svmk *svm, const char *name,
			  struct svm_open *op)
{
	int fd;

	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->flags = SVM_OPEN_RDONLY | SVM_OPEN_CLOEXEC;
	op->name = (uintptr_t)name;
	fd = ioctl(svmk_fd(svm), SVM_IOC_OPEN, op);
	return fd < 0 ? -errno : fd;
}

static int read_info_fd(int fd, struct svm_info *in)
{
	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	return ioctl(fd, SVM_IOC_INFO, in) < 0 ? -errno : 0;
}

/*
 * All entries of SVM_IOC_MAPPERS with flags (SVM_MAPPERS_*) into a
 * malloc'ed array; hint is the expected number.
 */
static int read_mapper_list(int fd, unsigned int flags, unsigned int hint,
			    struct svm_mapper **out, unsigned int *nr)
{
	struct svm_mappers m = { .size = sizeof(m), .flags = flags };
	struct svm_mapper *v = NULL, *nv;
	unsigned int cap = hint + 8;
	int ret = 0;

	/* Processes may start mapping it meanwhile: grow until all fit. */
	for (;;) {
		nv = realloc(v, cap * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		m.entries = (uintptr_t)v;
		m.count = cap;
		if (ioctl(fd, SVM_IOC_MAPPERS, &m) < 0) {
			ret = -errno;
			break;
		}
		if (m.total <= cap)
			break;
		cap = m.total + 8;
	}
	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	*nr = m.count;
	return 0;
}

/* "pid 12", "pids 12, 34", with those not visible from here counted. */
static void print_pids(const struct svm_mapper *v, unsigned int nr)
{
	unsigned int i, shown = 0, visible = 0;

	for (i = 0; i < nr; i++)
		visible += v[i].pid != 0;
	for (i = 0; i < nr; i++) {
		if (!v[i].pid)
			continue;
		printf("%s%d", shown++ ? ", " : visible > 1 ? "pids " : "pid ",
		       v[i].pid);
	}
	if (nr > visible)
		printf("%s%u exiting or in another pid namespace",
		       visible ? "; " : "", nr - visible);
}

/* "NAME: wired: yes, svid locks: 1, mlockers: 0", after a change. */
static void print_wiring(const char *name, const struct svm_info *in)
{
	printf("%s: wired: %s, svid locks: %u, mlockers: %u\n", name,
	       in->flags & SVM_REGION_WIRED ? "yes" : "no", in->svid_count,
	       in->nr_mlocked);
}

/* RLIMIT_MEMLOCK of svmctl, as "64K" or "unlimited". */
static const char *memlock_limit(char *buf)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		snprintf(buf, CELL_MAX, "unknown");
	else if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(buf, CELL_MAX, "unlimited");
	else
		human_size(buf, rl.rlim_cur);
	return buf;
}

/*
 * A failed SVM_IOC_WIRE op on the region in (its state before), explained
 * with what svmctl knows of the context; returns the exit code.
 */
static int wire_fail(int err, unsigned int op, const struct svm_info *in)
{
	static const char *const what[] = {
		[SVM_WIRE_MLOCK] = "mlock", [SVM_WIRE_MUNLOCK] = "munlock",
		[SVM_WIRE_LOCK] = "lock", [SVM_WIRE_UNLOCK] = "unlock",
	};
	char size[CELL_MAX], limit[CELL_MAX];

	human_size(size, in->length);
	memlock_limit(limit);
	if (err == -EINVAL && op == SVM_WIRE_UNLOCK)
		return error_msg("unlock '%s': not SVID-locked (its lock count is 0)",
				 in->name);
	/* mlock(2) charges svmctl's own locked memory, every time. */
	if (err == -ENOMEM && op == SVM_WIRE_MLOCK)
		return error_msg("mlock '%s': its %s would pass svmctl's RLIMIT_MEMLOCK (%s), or memory ran out",
				 in->name, size, limit);
	if (err == -ENOMEM && op == SVM_WIRE_LOCK && !in->svid_count)
		return error_msg("lock '%s': wiring its %s would pass RLIMIT_MEMLOCK (%s) of uid %u, or memory ran out",
				 in->name, size, limit, geteuid());
	if (err == -EPERM && op == SVM_WIRE_MLOCK)
		return error_msg("mlock '%s': RLIMIT_MEMLOCK is 0 and svmctl lacks CAP_IPC_LOCK",
				 in->name);
	if (err == -EPERM)
		return error_msg("%s '%s': uid %u is neither its owner (%u) nor its creator (%u) and lacks CAP_IPC_LOCK, or RLIMIT_MEMLOCK is %s",
				 what[op], in->name, geteuid(), in->uid,
				 in->cuid, limit);
	return fail(err, "%s '%s'", what[op], in->name);
}

/* ---- info -------------------------------------------------------------- */

/* The mapper lists of a region, and why they could not be read. */
struct mapper_lists {
	struct svm_mapper *maps;	/* every mapper */
	unsigned int nr_maps;
	struct svm_mapper *mlocks;	/* mappers that mlock(2) the region */
	unsigned int nr_mlocks;
	int err;
};

/*
 * The lists need a region fd: open the region without mapping it.  A
 * region of the same name that replaced the listed one is -ENOENT.
 */
static void read_lists(struct svmk *svm, const struct svm_info *in,
		       struct mapper_lists *l)
{
	struct svm_open op;
	int fd;

	memset(l, 0, sizeof(*l));
	fd = open_region_fd(svm, in->name, &op);
	if (fd < 0) {
		l->err = fd;
		return;
	}
	if (op.id != in->id)
		l->err = -ENOENT;
	if (!l->err)
		l->err = read_mapper_list(fd, 0, in->nr_mappers, &l->maps,
					  &l->nr_maps);
	if (!l->err)
		l->err = read_mapper_list(fd, SVM_MAPPERS_MLOCKED,
					  in->nr_mlocked, &l->mlocks,
					  &l->nr_mlocks);
	close(fd);
}

static void free_lists(struct mapper_lists *l)
{
	free(l->maps);
	free(l->mlocks);
}

static void print_info_wiring(const struct svm_info *in,
			      const struct mapper_lists *l)
{
	char size[CELL_MAX], user[CELL_MAX];

	printf("wired:      %s\n", in->flags & SVM_REGION_WIRED ? "yes" : "no");
	printf("svid locks: %u\n", in->svid_count);
	if (l->err) {
		printf("mlockers: %u (pid list %s)\n", in->nr_mlocked,
		       l->err == -EACCES ? "needs read permission" :
		       "unavailable");
	} else if (l->nr_mlocks) {
		printf("mlockers: %u (", l->nr_mlocks);
		print_pids(l->mlocks, l->nr_mlocks);
		printf(")\n");
	} else {
		printf("mlockers: 0\n");
	}
	if (in->charged)
		printf("charged:    %s to uid %u (%s)\n",
		       human_size(size, in->charged), in->charged_uid,
		       id_name(user, in->charged_uid, false));
	else
		printf("charged:    none\n");
}

static void print_info_mappers(const struct svm_info *in,
			       const struct mapper_lists *l)
{
	const struct svm_mapper *mv = l->maps;
	unsigned int i;

	if (l->err == -EACCES)
		printf("mappers:    %u (the mapper list needs read permission)\n",
		       in->nr_mappers);
	else if (l->err)
		printf("mappers:    %u (mapper list unavailable)\n",
		       in->nr_mappers);
	else
		printf("mappers:    %u\n", l->nr_maps);
	for (i = 0; i < l->nr_maps; i++) {
		if (mv[i].pid)
			printf("  pid %d", mv[i].pid);
		else
			printf("  (exiting or in another pid namespace)");
		printf(": %u mapping%s\n", mv[i].nr_maps,
		       mv[i].nr_maps == 1 ? "" : "s");
	}
}

/* CLOCK_REALTIME ns as "2026-12-01 12:34:56 +0000", or "never" for 0. */
static const char *local_time(char *buf, uint64_t ns)
{
	time_t t = ns / 1000000000;
	struct tm tm;

	if (!ns)
		snprintf(buf, CELL_MAX, "never");
	else if (!localtime_r(&t, &tm) ||
		 !strftime(buf, CELL_MAX, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, CELL_MAX, "%lld", (long long)t);
	return buf;
}

/*
 * What shmctl(IPC_STAT) tells of a segment, and SysV's own lock: attaches
 * and detaches, the last process to make one, the size asked for.
 */
static void print_info_sysv(const struct svm_info *in)
{
	char buf[CELL_MAX];

	printf("changed:    %s\n", local_time(buf, in->chtime_ns));
	printf("attached:   %s\n", local_time(buf, in->atime_ns));
	printf("detached:   %s\n", local_time(buf, in->dtime_ns));
	if (in->lpid)
		printf("last pid:   %d\n", in->lpid);
	else
		printf("last pid:   none, or not visible in this pid namespace\n");
	printf("attaches:   %" PRIu64 " since creation\n",
	       (uint64_t)in->nr_attaches);
	printf("asked:      %s (%" PRIu64 " bytes)\n",
	       human_size(buf, in->asked), (uint64_t)in->asked);
	printf("sysv lock:  %s\n",
	       in->flags & SVM_REGION_SYSV_LOCK ? "yes" : "no");
}

static void print_info(const struct svm_info *in, const struct mapper_lists *l)
{
	char buf[CELL_MAX], when[CELL_MAX];

	printf("name:       %s\n", in->name);
	printf("id:         %" PRIu64 "\n", (uint64_t)in->id);
	printf("address:    0x%" PRIx64 "\n", (uint64_t)in->addr);
	printf("size:       %s (%" PRIu64 " bytes)\n",
	       human_size(buf, in->length), (uint64_t)in->length);
	printf("owner:      %s (%u)\n", id_name(buf, in->uid, false), in->uid);
	printf("group:      %s (%u)\n", id_name(buf, in->gid, true), in->gid);
	printf("creator:    %s (%u), ", id_name(buf, in->cuid, false), in->cuid);
	printf("group %s (%u), ", id_name(when, in->cgid, true), in->cgid);
	if (in->cpid)
		printf("pid %d\n", in->cpid);
	else
		printf("pid not visible in this pid namespace\n");
	printf("mode:       %04o\n", in->mode);
	printf("created:    %s\n", local_time(when, in->ctime_ns));
	print_info_sysv(in);
	printf("flags:      %s\n", region_flags(buf, in->flags));
	printf("pages:      %s", human_size(buf, in->page_size));
	printf(", %s in huge pages", human_size(buf, in->huge_bytes));
	if (in->flags & SVM_REGION_HUGE)
		printf(", %s fell back to small pages",
		       human_size(buf, in->fallback_bytes));
	printf("\n");
	printf("resident:   %s (%" PRIu64 " pages)\n",
	       human_size(buf, in->resident * page_size()),
	       (uint64_t)in->resident);
	printf("fds:        %u\n", in->nr_fds);
	print_info_wiring(in, l);
	print_info_mappers(in, l);
}

static void print_json_info(const struct svm_info *in,
			    const struct mapper_lists *l)
{
	unsigned int i;

	json_region(in);
	if (l->err) {
		printf(",\n  \"mlockers\": null,\n  \"mappers\": null\n}\n");
		return;
	}
	printf(",\n  \"mlockers\": [");
	for (i = 0; i < l->nr_mlocks; i++)
		printf("%s%d", i ? ", " : "", l->mlocks[i].pid);
	printf("],\n  \"mappers\": [");
	for (i = 0; i < l->nr_maps; i++)
		printf("%s\n    { \"pid\": %d, \"nr_maps\": %u }",
		       i ? "," : "", l->maps[i].pid, l->maps[i].nr_maps);
	printf(l->nr_maps ? "\n  ]\n}\n" : "]\n}\n");
}

static int cmd_info(char **argv, const struct options *opt)
{
	const char *name = argv[0];
	struct mapper_lists l;
	struct svm_info in;
	struct svmk *svm;
	int ret, err;

	ret = open_device(&svm);
	if (ret)
		return ret;
	ret = svmk_find(svm, name, &in);
	if (ret < 0) {
		svmk_close(svm);
		return fail(ret, "info '%s'", name);
	}
	read_lists(svm, &in, &l);
	svmk_close(svm);

	if (opt->format == FMT_JSON)
		print_json_info(&in, &l);
	else
		print_info(&in, &l);
	free_lists(&l);
	err = l.err;

	/* No read permission is expected for others' regions: not an error. */
	if (err == -EACCES) {
		if (opt->format == FMT_JSON)
			fprintf(stderr, "svmctl: info '%s': %s\n", name,
				"the mapper lists need read permission");
		return 0;
	}
	return err ? fail(err, "info '%s': mapper list", name) : 0;
}

/* ---- window ------------------------------------------------------------ */

static void size_line(const char *key, uint64_t bytes)
{
	char buf[CELL_MAX];

	printf("%-18s%s (%" PRIu64 " bytes)\n", key, human_size(buf, bytes),
	       bytes);
}

static void print_window(const struct svm_window *w, double frag)
{
	printf("%-18s0x%" PRIx64 "\n", "base:", (uint64_t)w->base);
	size_line("size:", w->length);
	size_line("granule:", w->granule);
	size_line("used:", w->length - w->free);
	size_line("free:", w->free);
	size_line("largest free:", w->largest_free);
	printf("%-18s%.1f%%\n", "fragmentation:", frag);
	printf("%-18s%u\n", "regions:", w->nr_regions);
	printf("%-18s%u\n", "max_regions:", w->max_regions);
	size_line("max_region_size:", w->max_region_size);
	printf("%-18s%u\n", "user_max_regions:", w->user_max_regions);
	size_line("user_max_bytes:", w->user_max_bytes);
	printf("%-18s%u (uid %u)\n", "your regions:", w->user_regions,
	       geteuid());
	size_line("your bytes:", w->user_bytes);
	size_line("your SVID locks:", w->user_locked);
}

static void print_json_window(const struct svm_window *w, double frag)
{
	printf("{\n");
	printf("  \"base\": %" PRIu64 ",\n", (uint64_t)w->base);
	printf("  \"length\": %" PRIu64 ",\n", (uint64_t)w->length);
	printf("  \"granule\": %" PRIu64 ",\n", (uint64_t)w->granule);
	printf("  \"used\": %" PRIu64 ",\n", (uint64_t)(w->length - w->free));
	printf("  \"free\": %" PRIu64 ",\n", (uint64_t)w->free);
	printf("  \"largest_free\": %" PRIu64 ",\n",
	       (uint64_t)w->largest_free);
	printf("  \"fragmentation_percent\": %.1f,\n", frag);
	printf("  \"nr_regions\": %u,\n", w->nr_regions);
	printf("  \"max_regions\": %u,\n", w->max_regions);
	printf("  \"max_region_size\": %" PRIu64 ",\n",
	       (uint64_t)w->max_region_size);
	printf("  \"user_max_regions\": %u,\n", w->user_max_regions);
	printf("  \"user_max_bytes\": %" PRIu64 ",\n",
	       (uint64_t)w->user_max_bytes);
	printf("  \"user_regions\": %u,\n", w->user_regions);
	printf("  \"user_bytes\": %" PRIu64 ",\n", (uint64_t)w->user_bytes);
	printf("  \"user_locked\": %" PRIu64 "\n", (uint64_t)w->user_locked);
	printf("}\n");
}

static int cmd_window(char **argv, const struct options *opt)
{
	struct svm_window w;
	struct svmk *svm;
	double frag = 0;
	int ret;

	(void)argv;
	ret = open_device(&svm);
	if (ret)
		return ret;
	ret = svmk_window(svm, &w);
	svmk_close(svm);
	if (ret < 0)
		return fail(ret, "window of %s", device_path());

	/* How much of the free space cannot be had in one piece. */
	if (w.free)
		frag = 100.0 * (1.0 - (double)w.largest_free / w.free);
	if (opt->format == FMT_JSON)
		print_json_window(&w, frag);
	else
		print_window(&w, frag);
	return 0;
}

/* ---- create, rm -------------------------------------------------------- */

/*
 * A region created from the shell must persist, or it would vanish when
 * svmctl exits; it is not mapped here.
 */
static int cmd_create(char **argv, const struct options *opt)
{
	const char *name = argv[0], *size = argv[1];
	struct svm_open op = {
		.size = sizeof(op),
		.flags = SVM_OPEN_CREATE | SVM_OPEN_EXCL | SVM_OPEN_PERSIST |
			 SVM_OPEN_CLOEXEC | (opt->huge ? SVM_OPEN_HUGE : 0),
		.name = (uintptr_t)name,
		.mode = opt->mode_set ? opt->mode : 0600,
	};
	uint64_t length;
	struct svmk *svm;
	int ret, fd;

	if (parse_size(size, &length))
		return usage_error("create '%s': invalid size '%s'", name,
				   size);
	op.length = length;

	ret = open_device(&svm);
	if (ret)
		return ret;
	fd = ioctl(svmk_fd(svm), SVM_IOC_OPEN, &op);
	ret = fd < 0 ? -errno : 0;
	svmk_close(svm);
	if (ret < 0)
		return fail(ret, "create '%s' (%s)", name, size);
	close(fd);
	printf("0x%" PRIx64 "\n", (uint64_t)op.addr);
	return 0;
}

static int cmd_rm(char **argv, const struct options *opt)
{
	struct svmk *svm;
	int ret;

	(void)opt;
	ret = open_device(&svm);
	if (ret)
		return ret;
	ret = svmk_remove(svm, argv[0]);
	svmk_close(svm);
	return ret < 0 ? fail(ret, "rm '%s'", argv[0]) : 0;
}

/* ---- chmod, chown: SVM_IOC_SETPERM ------------------------------------ */

/*
 * chown(1)'s way with an id: a name through the name service switch, else
 * a decimal number.  0 or -1.
 */
static int parse_id(const char *s, bool group, unsigned int *id,
		    gid_t *login_gid)
{
	unsigned long v;
	struct passwd *pw;
	struct group *gr;
	char *end;

	if (group && (gr = getgrnam(s))) {
		*id = gr->gr_gid;
		return 0;
	}
	if (!group && (pw = getpwnam(s))) {
		*id = pw->pw_uid;
		*login_gid = pw->pw_gid;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	/* (uid_t)-1 means "no change" to chown(2): not an id. */
	if (errno || *end || v >= UINT32_MAX)
		return -1;
	*id = v;
	if (!group && (pw = getpwuid(v)))
		*login_gid = pw->pw_gid;
	return 0;
}

/* SVM_IOC_SETPERM on a region fd: 0 or -errno. */
static int setperm_fd(int fd, unsigned int flags, unsigned int uid,
		      unsigned int gid, unsigned int mode)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = flags, .uid = uid, .gid = gid,
		.mode = mode,
	};

	return ioctl(fd, SVM_IOC_SETPERM, &a) < 0 ? -errno : 0;
}

/*
 * Set what flags select on the region called name, and print the owner,
 * group and mode it is left with; what is "chmod" or "chown".
 */
static int setperm(const char *what, const char *name, unsigned int flags,
		   unsigned int uid, unsigned int gid, unsigned int mode)
{
	char ubuf[CELL_MAX], gbuf[CELL_MAX];
	struct svm_open arg;
	struct svm_info in;
	struct svmk *svm;
	int fd, ret;

	ret = open_device(&svm);
	if (ret)
		return ret;
	fd = open_region_fd(svm, name, &arg);
	svmk_close(svm);
	if (fd == -EACCES)
		return error_msg("%s '%s': svmctl opens it to change it, and its mode denies uid %u read permission (CAP_IPC_OWNER would override it)",
				 what, name, geteuid());
	if (fd < 0)
		return fail(fd, "%s '%s'", what, name);
	ret = read_info_fd(fd, &in);
	if (ret < 0) {
		close(fd);
		return fail(ret, "%s '%s': region state", what, name);
	}
	ret = setperm_fd(fd, flags, uid, gid, mode);
	if (ret == -EPERM) {
		close(fd);
		return error_msg("%s '%s': uid %u is neither its owner (%u) nor its creator (%u) and lacks CAP_SYS_ADMIN",
				 what, name, geteuid(), in.uid, in.cuid);
	}
	if (ret == -EINVAL && (flags & (SVM_SETPERM_UID | SVM_SETPERM_GID))) {
		close(fd);
		if (!(flags & SVM_SETPERM_GID))
			return error_msg("%s '%s': uid %u has no mapping in svmctl's user namespace",
					 what, name, uid);
		if (!(flags & SVM_SETPERM_UID))
			return error_msg("%s '%s': gid %u has no mapping in svmctl's user namespace",
					 what, name, gid);
		return error_msg("%s '%s': uid %u or gid %u has no mapping in svmctl's user namespace",
				 what, name, uid, gid);
	}
	if (ret == 0)
		ret = read_info_fd(fd, &in);
	close(fd);
	if (ret < 0)
		return fail(ret, "%s '%s'", what, name);
	printf("%s: owner %s (%u), group %s (%u), mode %04o\n", name,
	       id_name(ubuf, in.uid, false), in.uid,
	       id_name(gbuf, in.gid, true), in.gid, in.mode);
	return 0;
}

static int cmd_chmod(char **argv, const struct options *opt)
{
	unsigned int mode;

	(void)opt;
	if (parse_mode(argv[0], &mode))
		return usage_error("chmod '%s': invalid mode '%s' (%s)",
				   argv[1], argv[0], "octal, 0 to 0777");
	return setperm("chmod", argv[1], SVM_SETPERM_MODE, 0, 0, mode);
}

/*
 * USER, USER:GROUP, USER: (the user's login group) or :GROUP, as
 * chown(1) takes them.
 */
static int cmd_chown(char **argv, const struct options *opt)
{
	const char *spec = argv[0], *name = argv[1], *colon;
	unsigned int flags = 0, uid = 0, gid = 0;
	gid_t login_gid = (gid_t)-1;
	char user[256];
	size_t len;

	(void)opt;
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len >= sizeof(user) || (!len && (!colon || !colon[1])))
		return usage_error("chown '%s': invalid owner '%s' (%s)", name,
				   spec, "USER, USER:GROUP, USER: or :GROUP");
	memcpy(user, spec, len);
	user[len] = '\0';
	if (len) {
		if (parse_id(user, false, &uid, &login_gid))
			return error_msg("chown '%s': invalid user '%s'",
					 name, user);
		flags |= SVM_SETPERM_UID;
	}
	if (colon && colon[1]) {
		if (parse_id(colon + 1, true, &gid, &login_gid))
			return error_msg("chown '%s': invalid group '%s'",
					 name, colon + 1);
		flags |= SVM_SETPERM_GID;
	} else if (colon) {
		if (login_gid == (gid_t)-1)
			return error_msg("chown '%s': user '%s' has no login group",
					 name, user);
		gid = login_gid;
		flags |= SVM_SETPERM_GID;
	}
	return setperm("chown", name, flags, uid, gid, 0);
}

/* ---- lock, unlock: the SVID lock count --------------------------------- */

static int wire_fd(int fd, unsigned int op)
{
	struct svm_wire w = { .size = sizeof(w), .op = op };

	return ioctl(fd, SVM_IOC_WIRE, &w) < 0 ? -errno : 0;
}

static const char *svid_what(unsigned int op)
{
	return op == SVM_WIRE_LOCK ? "lock" : "unlock";
}

/* op on a region fd, printing the wiring it leaves. */
static int svid_lock_fd(int fd, const char *name, unsigned int op)
{
	struct svm_info in;
	int ret;

	ret = read_info_fd(fd, &in);
	if (ret < 0)
		return fail(ret, "%s '%s': region state", svid_what(op), name);
	ret = wire_fd(fd, op);
	if (ret < 0)
		return wire_fail(ret, op, &in);
	ret = read_info_fd(fd, &in);
	if (ret < 0)
		return fail(ret, "%s '%s': region state", svid_what(op), name);
	print_wiring(name, &in);
	return 0;
}

/*
 * The SVID count belongs to the region, not to a mapping: lock and unlock
 * work on a region fd that svmctl does not map.
 */
static int svid_lock(const char *name, unsigned int op)
{
	struct svm_open arg;
	struct svmk *svm;
	int fd, ret;

	ret = open_device(&svm);
	if (ret)
		return ret;
	fd = open_region_fd(svm, name, &arg);
	svmk_close(svm);
	if (fd < 0)
		return fail(fd, "%s '%s'", svid_what(op), name);
	ret = svid_lock_fd(fd, name, op);
	close(fd);
	return ret;
}

static int cmd_lock(char **argv, const struct options *opt)
{
	(void)opt;
	return svid_lock(argv[0], SVM_WIRE_LOCK);
}

static int cmd_unlock(char **argv, const struct options *opt)
{
	(void)opt;
	return svid_lock(argv[0], SVM_WIRE_UNLOCK);
}

/* ---- mlock, munlock: svmctl's own mapping's mlock(2) -------------------- */

/*
 * An mlock belongs to a mapping of the region, so these map it, read-only
 * where the kernel places it, through the library.
 */
static int map_region(const char *what, const char *name, struct svmk **svm,
		      struct svmk_region **reg)
{
	int ret;

	ret = open_device(svm);
	if (ret)
		return ret;
	ret = svmk_region_open(*svm, name, 0, SVM_OPEN_RDONLY, 0, reg);
	if (ret < 0) {
		svmk_close(*svm);
		return fail(ret, "%s '%s'", what, name);
	}
	return 0;
}

static void unmap_region(struct svmk *svm, struct svmk_region *reg)
{
	svmk_region_close(reg);
	svmk_close(svm);
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait for a signal of stop (blocked), or until secs pass if secs >= 0.
 * Returns the signal, or 0 when the time is up.
 */
static int hold(const sigset_t *stop, long secs)
{
	long long end = monotonic_ms() + secs * 1000LL, left;
	struct timespec ts;
	int sig;

	if (secs < 0)
		return sigwait(stop, &sig) ? 0 : sig;
	/* EINTR: a stop and continue (SIGSTOP, SIGCONT); wait the rest. */
	while ((left = end - monotonic_ms()) > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		sig = sigtimedwait(stop, NULL, &ts);
		if (sig > 0)
			return sig;
		if (errno != EINTR)
			break;
	}
	return 0;
}

static void print_held(const char *name, long secs)
{
	if (secs < 0)
		printf("%s wired by pid %d's mlock(2); press Ctrl-C or send SIGTERM to release\n",
		       name, getpid());
	else
		printf("%s wired by pid %d's mlock(2) for %ld s; press Ctrl-C or send SIGTERM to release it sooner\n",
		       name, getpid(), secs);
	fflush(stdout);
}

/* mlock(2) the mapping in reg, hold it, munlock it. */
static int mlock_hold(struct svmk_region *reg, const sigset_t *stop,
		      long secs)
{
	struct svm_info in;
	int ret, sig;

	ret = svmk_region_info(reg, &in);
	if (ret < 0)
		return fail(ret, "mlock at 0x%" PRIxPTR ": region state",
			    (uintptr_t)svmk_region_addr(reg));
	ret = svmk_region_mlock(reg);
	if (ret < 0)
		return wire_fail(ret, SVM_WIRE_MLOCK, &in);
	print_held(in.name, secs);

	sig = hold(stop, secs);
	ret = svmk_region_munlock(reg);
	if (ret < 0)
		return fail(ret, "munlock '%s'", in.name);
	if (sig)
		printf("%s: %s: pid %d's mlock(2) released\n", in.name,
		       strsignal(sig), getpid());
	else
		printf("%s: %ld s passed: pid %d's mlock(2) released\n",
		       in.name, secs, getpid());
	if (!svmk_region_info(reg, &in))
		print_wiring(in.name, &in);
	return 0;
}

static int cmd_mlock(char **argv, const struct options *opt)
{
	struct svmk_region *reg;
	struct svmk *svm;
	sigset_t stop;
	int ret;

	/* Blocked from the start: a signal that comes early ends the hold. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	ret = map_region("mlock", argv[0], &svm, &reg);
	if (ret)
		return ret;
	ret = mlock_hold(reg, &stop, opt->hold);
	unmap_region(svm, reg);
	return ret;
}

/*
 * svmctl can munlock only its own mapping, which never holds an mlock
 * here: say so, and show who mlocks the region.
 */
static int cmd_munlock(char **argv, const struct options *opt)
{
	const char *name = argv[0];
	struct svmk_region *reg;
	struct svm_mapper *v;
	struct svm_info in;
	struct svmk *svm;
	unsigned int nr;
	int ret;

	(void)opt;
	ret = map_region("munlock", name, &svm, &reg);
	if (ret)
		return ret;
	ret = svmk_region_munlock(reg);
	if (!ret)
		ret = svmk_region_info(reg, &in);
	if (!ret)
		ret = read_mapper_list(svmk_region_fd(reg), SVM_MAPPERS_MLOCKED,
				       in.nr_mlocked, &v, &nr);
	unmap_region(svm, reg);
	if (ret < 0)
		return fail(ret, "munlock '%s'", name);

	printf("%s: svmctl (pid %d) can munlock only its own mapping, which held no mlock; each process's mlock ends when that process munlocks, or when it stops mapping the region\n",
	       name, getpid());
	printf("%s: wired: %s, svid locks: %u, mlockers: %u",
	       name, in.flags & SVM_REGION_WIRED ? "yes" : "no",
	       in.svid_count, nr);
	if (nr) {
		printf(" (");
		print_pids(v, nr);
		printf(")");
	}
	printf("\n");
	free(v);
	return 0;
}

/* ---- watch: the region's events as they happen ------------------------- */

/* "SIGKILL", or the number of a signal without a name. */
static const char *signal_name(char *buf, unsigned int signo)
{
	const char *abbrev = signo < (unsigned int)NSIG ?
			     sigabbrev_np(signo) : NULL;

	if (abbrev)
		snprintf(buf, CELL_MAX, "SIG%s", abbrev);
	else
		snprintf(buf, CELL_MAX, "%u", signo);
	return buf;
}

/* A name of the library's, or the number of one it does not know. */
static const char *name_or_number(char *buf, const char *name,
				  unsigned int v)
{
	if (name)
		return name;
	snprintf(buf, CELL_MAX, "%u", v);
	return buf;
}

/* CLOCK_REALTIME ns as local ISO 8601 with ms: 2026-12-01T12:34:56.789+00:00 */
static const char *iso_time(char *buf, uint64_t real_ns)
{
	time_t secs = real_ns / 1000000000;
	char date[32], zone[8];
	struct tm tm;

	if (!localtime_r(&secs, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) ||
	    !strftime(zone, sizeof(zone), "%z", &tm)) {
		snprintf(buf, CELL_MAX, "%" PRIu64, real_ns);
		return buf;
	}
	/* %z is +hhmm; ISO 8601's extended format wants +hh:mm */
	snprintf(buf, CELL_MAX, "%s.%03u%.3s:%s", date,
		 (unsigned int)(real_ns / 1000000 % 1000), zone, zone + 3);
	return buf;
}

/* "signal SIGKILL", "exit": why a DETACH happened. */
static const char *cause_text(char *buf, const struct svm_event *ev)
{
	char num[CELL_MAX], sig[CELL_MAX];
	const char *name = name_or_number(num, svmk_cause_name(ev->cause),
					  ev->cause);

	if (ev->signo && ev->cause != SVM_CAUSE_OOM)
		snprintf(buf, CELL_MAX, "%.32s %.32s", name,
			 signal_name(sig, ev->signo));
	else
		snprintf(buf, CELL_MAX, "%s", name);
	return buf;
}

/*
 * One line: "TIME detach pid 123 (signal SIGKILL), mappers 1"; the
 * cause of a DETACH and the source of a WIRED or UNWIRED in brackets.
 */
static void print_event(const struct svm_event *ev)
{
	char t[CELL_MAX], num[CELL_MAX], why[CELL_MAX];
	const char *type = name_or_number(num, svmk_event_name(ev->type),
					  ev->type);

	printf("%s ", iso_time(t, ev->real_ns));
	switch (ev->type) {
	case SVM_EVENT_OVERFLOW:
		printf("overflow: %" PRIu64 " event%s lost\n",
		       (uint64_t)ev->lost, ev->lost == 1 ? "" : "s");
		return;
	case SVM_EVENT_DESTROYED:
		printf("destroyed, mappers %u\n", ev->mappers);
		return;
	case SVM_EVENT_DETACH:
		printf("detach pid %d (%s)", ev->pid, cause_text(why, ev));
		break;
	case SVM_EVENT_WIRED:
	case SVM_EVENT_UNWIRED:
		printf("%s pid %d (%s)", type, ev->pid,
		       name_or_number(why, svmk_source_name(ev->source),
				      ev->source));
		break;
	default:
		printf("%s pid %d", type, ev->pid);
		break;
	}
	printf(", mappers %u\n", ev->mappers);
}

/* A JSON string, or null for NULL. */
static void json_or_null(const char *s)
{
	if (s)
		json_string(s);
	else
		fputs("null", stdout);
}

/*
 * One object a line, every field always there: the names are strings
 * (a number in a string for one this svmctl does not know), null where
 * the event has no cause, signal or source.
 */
static void print_json_event(const struct svm_event *ev)
{
	char t[CELL_MAX], n1[CELL_MAX], n2[CELL_MAX], n3[CELL_MAX];
	char sig[CELL_MAX];

	fputs("{\"time\": ", stdout);
	json_string(iso_time(t, ev->real_ns));
	printf(", \"real_ns\": %" PRIu64 ", \"mono_ns\": %" PRIu64
	       ", \"seq\": %" PRIu64 ", \"type\": ", (uint64_t)ev->real_ns,
	       (uint64_t)ev->mono_ns, (uint64_t)ev->seq);
	json_string(name_or_number(n1, svmk_event_name(ev->type), ev->type));
	printf(", \"pid\": %d, \"cause\": ", ev->pid);
	json_or_null(ev->cause == SVM_CAUSE_NONE ? NULL :
		     name_or_number(n2, svmk_cause_name(ev->cause),
				    ev->cause));
	printf(", \"signo\": %u, \"signal\": ", ev->signo);
	json_or_null(ev->signo ? signal_name(sig, ev->signo) : NULL);
	fputs(", \"source\": ", stdout);
	json_or_null(ev->source ?
		     name_or_number(n3, svmk_source_name(ev->source),
				    ev->source) : NULL);
	printf(", \"mappers\": %u, \"lost\": %" PRIu64 "}\n", ev->mappers,
	       (uint64_t)ev->lost);
}

/*
 * Print what is queued; 1 at end of file (the region is gone), 0 when
 * nothing more is queued now, or the exit code.
 */
static int drain_watch(struct svmk_watch *w, const char *name, bool json)
{
	struct svm_event ev[32];
	int i, n;

	for (;;) {
		n = svmk_watch_read(w, ev, ARRAY_SIZE(ev));
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n < 0)
			return fail(n, "watch '%s'", name);
		for (i = 0; i < n; i++) {
			if (json)
				print_json_event(&ev[i]);
			else
				print_event(&ev[i]);
		}
		/* Each line as it happens, to a pipe too. */
		if (fflush(stdout) || ferror(stdout))
			return error_msg("write error on standard output");
		if (!n)
			return 1;
	}
}

/*
 * The watch is made on a region fd that svmctl neither maps nor keeps
 * (svmk_watch_open()), so that svmctl is no mapper and no holder: the
 * region's end is its other holders' to decide, and svmctl sees it.
 * SIGINT and SIGTERM are read from a signalfd beside the watch fd, so
 * that one arriving at any moment ends the wait.
 */
static int cmd_watch(char **argv, const struct options *opt)
{
	const char *name = argv[0];
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };
	struct svmk_watch *w;
	struct svmk *svm;
	sigset_t stop;
	int ret;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	p[1].fd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (p[1].fd < 0)
		return fail(-errno, "watch '%s': signalfd", name);

	ret = open_device(&svm);
	if (ret)
		return ret;
	ret = svmk_watch_open(svm, name, SVM_WATCH_CLOEXEC |
			      SVM_WATCH_NONBLOCK, &w);
	svmk_close(svm);
	if (ret < 0)
		return fail(ret, "watch '%s'", name);
	/* As inotifywait(1) says so: a caller may act once this is out. */
	fprintf(stderr, "svmctl: watching '%s' (a queue of %u events); SIGINT or SIGTERM ends\n",
		name, svmk_watch_queue_len(w));

	p[0].fd = svmk_watch_fd(w);
	for (ret = 0; !ret;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = fail(-errno, "watch '%s': poll", name);
			break;
		}
		if (p[1].revents)
			break;
		ret = drain_watch(w, name, opt->format == FMT_JSON);
	}
	svmk_watch_close(w);
	close(p[1].fd);
	return ret == 1 ? 0 : ret;
}

/* ---- main -------------------------------------------------------------- */

static const struct command {
	const char *name;
	int nargs;
	bool json;			/* takes --json */
	bool create;			/* takes --mode, --persist, --huge */
	bool hold;			/* takes --for */
	int (*fn)(char **argv, const struct options *opt);
} commands[] = {
	{ "list", 0, true, false, false, cmd_list },
	{ "info", 1, true, false, false, cmd_info },
	{ "window", 0, true, false, false, cmd_window },
	{ "create", 2, false, true, false, cmd_create },
	{ "rm", 1, false, false, false, cmd_rm },
	{ "chmod", 2, false, false, false, cmd_chmod },
	{ "chown", 2, false, false, false, cmd_chown },
	{ "lock", 1, false, false, false, cmd_lock },
	{ "unlock", 1, false, false, false, cmd_unlock },
	{ "mlock", 1, false, false, true, cmd_mlock },
	{ "munlock", 1, false, false, false, cmd_munlock },
	{ "watch", 1, true, false, false, cmd_watch },
};

/*
 * Long options have values of their own, short ones or not, so that
 * optopt tells which kind an error is about.
 */
enum {
	OPT_JSON = 256, OPT_OUTPUT, OPT_BYTES, OPT_NOHEADINGS, OPT_RAW,
	OPT_PAIRS, OPT_SYSV, OPT_MODE, OPT_PERSIST, OPT_HUGE, OPT_FOR,
	OPT_VERSION
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "noheadings", no_argument, NULL, OPT_NOHEADINGS },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "pairs", no_argument, NULL, OPT_PAIRS },
	{ "sysv", no_argument, NULL, OPT_SYSV },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "persist", no_argument, NULL, OPT_PERSIST },
	{ "huge", no_argument, NULL, OPT_HUGE },
	{ "for", required_argument, NULL, OPT_FOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* -J, -P or -r: one output format, which the others do not change. */
static int set_format(struct options *opt, enum format f)
{
	if (opt->format != FMT_TABLE && opt->format != f)
		return usage_error("--json, --pairs and --raw are mutually exclusive");
	opt->format = f;
	return 0;
}

/* An option only list takes: remember the first for the error. */
static void list_option(struct options *opt, const char *name)
{
	if (!opt->list_only)
		opt->list_only = name;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	opterr = 0;	/* getopt_long() would name the program by argv[0] */
	while ((c = getopt_long(argc, argv, ":hJo:bnrP", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'J':
		case OPT_JSON:
			if (set_format(opt, FMT_JSON))
				return EXIT_USAGE;
			break;
		case 'o':
		case OPT_OUTPUT:
			opt->output = optarg;
			list_option(opt, "--output");
			break;
		case 'b':
		case OPT_BYTES:
			opt->bytes = true;
			list_option(opt, "--bytes");
			break;
		case 'n':
		case OPT_NOHEADINGS:
			opt->noheadings = true;
			list_option(opt, "--noheadings");
			break;
		case 'r':
		case OPT_RAW:
			if (set_format(opt, FMT_RAW))
				return EXIT_USAGE;
			list_option(opt, "--raw");
			break;
		case 'P':
		case OPT_PAIRS:
			if (set_format(opt, FMT_PAIRS))
				return EXIT_USAGE;
			list_option(opt, "--pairs");
			break;
		case OPT_SYSV:
			opt->sysv = true;
			list_option(opt, "--sysv");
			break;
		case OPT_MODE:
			if (parse_mode(optarg, &opt->mode))
				return usage_error("invalid mode '%s' (%s)",
						   optarg, "octal, 0 to 0777");
			opt->mode_set = true;
			break;
		case OPT_HUGE:
			opt->huge = true;
			break;
		case OPT_PERSIST:
			opt->persist = true;
			break;
		case OPT_FOR:
			if (parse_seconds(optarg, &opt->hold))
				return usage_error("invalid --for '%s' (%s%d)",
						   optarg, "seconds, 0 to ",
						   HOLD_MAX);
			break;
		case 'h':
			fputs(usage_text, stdout);
			print_column_help();
			return -1;
		case OPT_VERSION:
			printf("svmctl (libsvmk) %s\n", SVMCTL_VERSION);
			return -1;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:	/* optopt is a short option or a long one's val */
			if (optopt > 0 && optopt < OPT_JSON)
				return usage_error("unrecognized option '-%c'",
						   optopt);
			return usage_error("unrecognized option '%s'",
					   argv[optind - 1]);
		}
	}
	return 0;
}

static int run(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct options opt = { .hold = -1 };
	int ret, nargs;
	size_t i;

	ret = parse_options(argc, argv, &opt);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind == argc)
		return usage_error("no command given");

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage_error("unknown command '%s'", argv[optind]);
	nargs = argc - optind - 1;
	if (nargs != cmd->nargs)
		return usage_error("%s takes %d argument%s, not %d", cmd->name,
				   cmd->nargs, cmd->nargs == 1 ? "" : "s",
				   nargs);
	if (opt.format == FMT_JSON && !cmd->json)
		return usage_error("--json does not apply to %s", cmd->name);
	if (opt.list_only && cmd->fn != cmd_list)
		return usage_error("%s applies to list only", opt.list_only);
	if ((opt.mode_set || opt.persist || opt.huge) && !cmd->create)
		return usage_error("--mode, --persist and --huge apply to create only");
	if (opt.hold >= 0 && !cmd->hold)
		return usage_error("--for applies to mlock only");

	return cmd->fn(argv + optind + 1, &opt);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	/* Output that did not reach its destination is a failure too. */
	if (fflush(stdout) || ferror(stdout)) {
		fputs("svmctl: write error on standard output\n", stderr);
		return EXIT_FAILURE;
	}
	return ret;
}
