// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkfw - write Qualcomm PAS-format firmware images for tests, by the hash-table rule of
 * doc/firmware-format.md#digest-rule: header pseudo-segment,
 * MBN v3/v5/v6/v7 hash segment with a SHA-256 or
 * SHA-384 table, relocatable PT_LOAD segments, bss, non-LOAD and shared segments, in the
 * .mbn or the .mdt + .bNN form; and "bad" variants for error paths.  Deterministic from
 * --seed.  Signatures and certificates are placeholder bytes.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define PAGE 4096u
#define ALIGN4K(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))
#define MAX_SEGS 200

#define F_PHDR 0x07000000u
#define F_HASH_OLD 0x02200000u /* v3, v5 (and older v6) */
#define F_HASH_NEW 0x02000000u /* newer v6, v7 */
#define F_RELOC 0x08000000u
#define F_SHARED (4u << 21)
#define F_NOTUSED (3u << 21)

#ifndef EM_QDSP6
#define EM_QDSP6 164
#endif

enum bad {
	BAD_NONE,
	BAD_FLIP,
	BAD_FLIP_HEADER,
	BAD_TRUNCATE,
	BAD_MISSING_BNN,
	BAD_OUTSIDE_SPAN,
	BAD_HUGE_PADDR,
	BAD_OVERLAP,
	BAD_PHDR_PAST_EOF,
	BAD_ABSURD_PHNUM,
	BAD_ABSURD_SIZE,
	BAD_FILESZ_GT_MEMSZ,
	BAD_NO_HASH,
	BAD_BAD_MAGIC,
	BAD_ELF64_CLASS,
	BAD_VERSION,
	BAD_PHDR0_LOAD,
};

static const struct {
	const char *name;
	enum bad kind;
	const char *stage; /* where a reader must fail: open, reloc or verify */
	const char *err;   /* the errno it must report */
	const char *what;
} bads[] = {
	{"flip", BAD_FLIP, "verify", "EBADMSG", "one byte flipped in a checked segment"},
	{"flip-header", BAD_FLIP_HEADER, "verify", "EBADMSG",
	 "one byte of the ELF header flipped (entry 0 mismatches)"},
	{"truncate", BAD_TRUNCATE, "open", "EINVAL",
	 ".mbn cut inside its last segment, or a .bNN cut short"},
	{"missing-bnn", BAD_MISSING_BNN, "open", "ENOENT", "a segment's .bNN removed (split only)"},
	{"outside-span", BAD_OUTSIDE_SPAN, "reloc", "EINVAL",
	 "last segment moved 1 GiB up, beyond the carveout the image declares"},
	{"huge-paddr", BAD_HUGE_PADDR, "open", "EINVAL",
	 "a segment that runs past the end of the address space"},
	{"overlap", BAD_OVERLAP, "open", "EINVAL", "two loadable segments overlap"},
	{"phdr-past-eof", BAD_PHDR_PAST_EOF, "open", "EINVAL",
	 "program header table past the end of the file"},
	{"absurd", BAD_ABSURD_PHNUM, "open", "EINVAL", "e_phnum 65535"},
	{"absurd-phnum", BAD_ABSURD_PHNUM, "open", "EINVAL", "e_phnum 65535"},
	{"absurd-size", BAD_ABSURD_SIZE, "open", "EINVAL",
	 "a segment with p_filesz = p_memsz = ~0"},
	{"filesz-gt-memsz", BAD_FILESZ_GT_MEMSZ, "open", "EINVAL",
	 "a loadable segment with p_filesz > p_memsz"},
	{"no-hash", BAD_NO_HASH, "open", "EINVAL", "the hash segment's type bits cleared"},
	{"bad-magic", BAD_BAD_MAGIC, "open", "EINVAL", "ELF magic broken"},
	{"elf64", BAD_ELF64_CLASS, "open", "EINVAL",
	 "EI_CLASS says ELF64 over ELF32 headers (use --elf64 for a valid ELF64 image)"},
	{"bad-version", BAD_VERSION, "verify", "EINVAL",
	 "hash segment version 4 (loadable, not verifiable)"},
	{"phdr0-load", BAD_PHDR0_LOAD, "open", "EINVAL", "program header 0 is PT_LOAD"},
};

struct seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
	bool data; /* one of the --segments data segments */
};

struct opts {
	const char *out;
	bool split, form_set;
	unsigned int version;
	unsigned int dlen; /* 32 or 48 */
	uint64_t seed, base, size;
	unsigned int nseg;
	bool reloc, extras, elf64, describe, rsc_table;
	int bad; /* index into bads[], -1 for none */
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64: deterministic across platforms, good enough for test data */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(uint8_t *p, uint64_t n)
{
	while (n >= 8) {
		uint64_t v = rng();

		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = rng();

		memcpy(p, &v, n);
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkfw: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void digest(unsigned int dlen, const uint8_t *p, uint64_t n, uint8_t *md)
{
	unsigned int l;

	if (!EVP_Digest(p, n, md, &l, dlen == 32 ? EVP_sha256() : EVP_sha384(), NULL))
		die("digest failed");
}

static void placeholder(uint8_t *p, size_t n)
{
	static const char txt[] = "rprocd-mkfw PLACEHOLDER signature/certificate, not signed. ";

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)txt[i % (sizeof(txt) - 1)];
}

/* The hash segment: header, metadata, table (filled later), signatures, certs, padding. */
struct hashseg {
	uint8_t *buf;
	size_t len, table_off, table_len;
};

static void build_hashseg(const struct opts *o, unsigned int phnum, uint64_t hash_paddr,
			  struct hashseg *hs)
{
	bool qti = o->seed & 1; /* both QTI and OEM signatures on odd seeds */
	size_t table = (size_t)phnum * o->dlen, hdr, md_qti = 0, md_oem = 0, common = 0;
	size_t sig_q = 0, cert_q = 0, sig_o, cert_o, pad = 0, off;
	uint8_t *h;

	switch (o->version) {
	case 3:
		hdr = 40;
		sig_o = 256;
		cert_o = 3 * 1024;
		break;
	case 5:
		hdr = 40;
		sig_q = qti ? 256 : 0;
		cert_q = qti ? 2048 : 0;
		sig_o = 256;
		cert_o = 2048;
		break;
	case 6:
		hdr = 48;
		md_qti = qti ? 120 : 0;
		md_oem = 120;
		sig_q = qti ? 104 : 0;
		cert_q = qti ? 2048 : 0;
		sig_o = 104;
		cert_o = 2048;
		pad = 208; /* 0xff padding (newer v6): doc/firmware-format.md#hash-layouts */
		break;
	default: /* 7 */
		hdr = 40;
		common = 24;
		md_qti = qti ? 224 : 0;
		md_oem = 224;
		sig_q = qti ? 104 : 0;
		cert_q = qti ? 2048 : 0;
		sig_o = 104;
		cert_o = 2048;
		break;
	}
	hs->table_off = hdr + common + md_qti + md_oem;
	hs->table_len = table;
	hs->len = hs->table_off + table + sig_q + cert_q + sig_o + cert_o + pad;
	hs->buf = calloc(1, hs->len);
	if (!hs->buf)
		die("out of memory");
	h = hs->buf;

	switch (o->version) {
	case 3:
		put32(h + 0, 0x0c);                           /* image_id */
		put32(h + 4, 3);
		put32(h + 8, 0);                              /* image_src */
		put32(h + 12, (uint32_t)(hash_paddr + hdr)); /* dest_ptr */
		put32(h + 16, (uint32_t)(table + sig_o + cert_o));
		put32(h + 20, (uint32_t)table);
		put32(h + 24, (uint32_t)(hash_paddr + hdr + table));
		put32(h + 28, (uint32_t)sig_o);
		put32(h + 32, (uint32_t)(hash_paddr + hdr + table + sig_o));
		put32(h + 36, (uint32_t)cert_o);
		break;
	case 5:
	case 6:
		put32(h + 0, 0);
		put32(h + 4, o->version);
		put32(h + 8, (uint32_t)sig_q);
		put32(h + 12, (uint32_t)cert_q);
		put32(h + 16, (uint32_t)(table + sig_q + cert_q + sig_o + cert_o));
		put32(h + 20, (uint32_t)table);
		put32(h + 24, 0xffffffff);
		put32(h + 28, (uint32_t)sig_o);
		put32(h + 32, 0xffffffff);
		put32(h + 36, (uint32_t)cert_o);
		if (o->version == 6) {
			put32(h + 40, (uint32_t)md_qti);
			put32(h + 44, (uint32_t)md_oem);
		}
		break;
	default:
		put32(h + 0, 0);
		put32(h + 4, 7);
		put32(h + 8, (uint32_t)common);
		put32(h + 12, (uint32_t)md_qti);
		put32(h + 16, (uint32_t)md_oem);
		put32(h + 20, (uint32_t)table);
		put32(h + 24, (uint32_t)sig_q);
		put32(h + 28, (uint32_t)cert_q);
		put32(h + 32, (uint32_t)sig_o);
		put32(h + 36, (uint32_t)cert_o);
		/* common metadata: major, minor, sw_id, secondary sw_id, algorithm, measurement */
		put32(h + 40, 0);
		put32(h + 44, 0);
		put32(h + 48, 0x0c);
		put32(h + 52, 0);
		put32(h + 56, o->dlen == 48 ? 3 : 2); /* 3 = SHA-384; 2 for SHA-256 is a guess */
		put32(h + 60, 0);
		break;
	}
	/* metadata blocks: major, minor, sw_id, hw_id, oem_id, model_id, app_id, rest zero */
	off = hdr + common;
	for (int b = 0; b < 2; b++) {
		size_t l = b ? md_oem : md_qti;

		if (!l)
			continue;
		put32(h + off + 0, o->version == 7 ? 3 : 0);
		put32(h + off + 4, 0);
		put32(h + off + 8, 0x0c);
		put32(h + off + 12, 0x001e40e1);
		put32(h + off + 16, b ? 0x1 : 0);
		put32(h + off + 20, 0);
		put32(h + off + 24, 0);
		off += l;
	}
	off = hs->table_off + table;
	placeholder(h + off, sig_q + cert_q + sig_o + cert_o);
	off += sig_q + cert_q + sig_o + cert_o;
	memset(h + off, 0xff, pad);
}

static void write_file(const char *path, const uint8_t *p, uint64_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while (n) {
		ssize_t k = write(fd, p, n > (1u << 30) ? (1u << 30) : n);

		if (k <= 0)
			die("%s: write: %s", path, strerror(errno));
		p += k;
		n -= (uint64_t)k;
	}
	if (close(fd) < 0)
		die("%s: close: %s", path, strerror(errno));
}

static char *bnn_path(const char *path, unsigned int i)
{
	size_t len = strlen(path);
	char *p = malloc(len + 16);

	if (!p || len < 3)
		die("bad output name %s", path);
	memcpy(p, path, len - 3);
	snprintf(p + len - 3, 19, "b%02u", i);
	return p;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mkfw -o FILE [OPTIONS]\n"
		"Write a Qualcomm PAS firmware image by the hash-table rule of\n"
		"doc/firmware-format.md#digest-rule.\n\n"
		"  -o, --output FILE      the .mbn, or the .mdt of a split image (.bNN beside it)\n"
		"      --form mbn|split   packaging (default: split if FILE ends in .mdt)\n"
		"      --mbn-version N    hash segment layout 3, 5, 6 or 7 (default 6)\n"
		"      --hash sha256|sha384  table digest (default sha256 for v3/v5, sha384 for v6/v7)\n"
		"      --seed N           deterministic contents and layout choices (default 1)\n"
		"      --paddr ADDR       physical address of the first segment (default 0x8b000000)\n"
		"      --segments N       PT_LOAD data segments, 1..%d (default 3)\n"
		"      --size BYTES       total data bytes, K/M suffixes (default 64K)\n"
		"      --no-reloc         clear the relocatable bit (0x08000000)\n"
		"      --no-extras        omit the bss-only, empty, PT_NOTE, SHARED, NOTUSED segments\n"
		"      --elf64            write ELF64 headers (upstream Linux loads ELF32 only)\n"
		"      --rsc-table        add a .resource_table section (mbn form): a DEVMEM\n"
		"                         entry da = pa 0x130000, 4 KiB, read/write, named\n"
		"                         fw-devmem, and a CARVEOUT and a TRACE entry\n"
		"      --bad KIND         write a broken image (see below)\n"
		"      --describe         print a JSON description of the image on stdout\n"
		"  -h, --help             this text\n\n"
		"Layout: phdr 0 is PT_NULL 0x07000000 over ehdr+phdrs; the hash segment (PT_NULL,\n"
		"0x02200000 for v3/v5, 0x02000000 for v6/v7) is phdr 1, or the last phdr for v7;\n"
		"data segments are PT_LOAD 0x0800000X (relocatable), some with bss (filesz < memsz);\n"
		"extras: a bss-only PT_LOAD, an empty PT_LOAD (memsz 0), a PT_NOTE (hashed, not\n"
		"verified), PT_LOADs with access type SHARED and NOTUSED (zero digests).\n"
		"Hash entries: entry 0 = H(ehdr+phdrs); the hash segment, empty and NOTUSED/SHARED\n"
		"segments all zero; every other segment H(file bytes).  In the split form .b00 =\n"
		"the headers, .b<hash> = the hash segment, and a .bNN exists iff p_filesz > 0.\n\n"
		"Signatures and certificates are PLACEHOLDER bytes: the images authenticate only\n"
		"against a verifier that checks digests, not signatures (the simulated TrustZone).\n\n"
		"--describe prints {files, path, form, elf_class, mbn_version, hash_alg, digest_len,\n"
		"phnum, hash_index, relocatable, min_addr, max_addr, span, carveout{base,size},\n"
		"metadata_size, file_size, checked, segments[{index,type,flags,offset,paddr,filesz,\n"
		"memsz,loadable,checked,hashed}], bad{kind,stage,errno,segment} or null}.  For a bad\n"
		"image the segments are those of the good image it was derived from; \"stage\" says\n"
		"where a reader must fail (open, reloc against carveout, verify) and \"segment\" which\n"
		"segment is bad (-1 if none in particular).\n\n"
		"Bad kinds:\n",
		MAX_SEGS);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		fprintf(f, "  %-16s %s (%s: %s)\n", bads[i].name, bads[i].what, bads[i].stage,
			bads[i].err);
}

static uint64_t parse_size(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad %s '%s'", what, s);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end)
		die("bad %s '%s'", what, s);
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	uint64_t margin;
	enum { O_FORM = 256, O_VER, O_HASH, O_SEED, O_PADDR, O_SEGS, O_SIZE, O_NORELOC,
	       O_NOEXTRAS, O_ELF64, O_BAD, O_DESCRIBE, O_RSC };
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"form", required_argument, NULL, O_FORM},
		{"mbn-version", required_argument, NULL, O_VER},
		{"hash", required_argument, NULL, O_HASH},
		{"seed", required_argument, NULL, O_SEED},
		{"paddr", required_argument, NULL, O_PADDR},
		{"segments", required_argument, NULL, O_SEGS},
		{"size", required_argument, NULL, O_SIZE},
		{"no-reloc", no_argument, NULL, O_NORELOC},
		{"no-extras", no_argument, NULL, O_NOEXTRAS},
		{"elf64", no_argument, NULL, O_ELF64},
		{"bad", required_argument, NULL, O_BAD},
		{"describe", no_argument, NULL, O_DESCRIBE},
		{"rsc-table", no_argument, NULL, O_RSC},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	*o = (struct opts){.version = 6, .seed = 1, .base = 0x8b000000, .size = 64 << 10,
			   .nseg = 3, .reloc = true, .extras = true, .bad = -1};
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case O_FORM:
			if (!strcmp(optarg, "mbn"))
				o->split = false;
			else if (!strcmp(optarg, "split") || !strcmp(optarg, "mdt"))
				o->split = true;
			else
				die("--form must be mbn or split");
			o->form_set = true;
			break;
		case O_VER:
			o->version = (unsigned int)parse_size(optarg, "--mbn-version");
			if (o->version != 3 && o->version != 5 && o->version != 6 &&
			    o->version != 7)
				die("--mbn-version must be 3, 5, 6 or 7");
			break;
		case O_HASH:
			if (!strcmp(optarg, "sha256"))
				o->dlen = 32;
			else if (!strcmp(optarg, "sha384"))
				o->dlen = 48;
			else
				die("--hash must be sha256 or sha384");
			break;
		case O_SEED:
			o->seed = parse_size(optarg, "--seed");
			break;
		case O_PADDR:
			o->base = parse_size(optarg, "--paddr");
			if (o->base & (PAGE - 1))
				die("--paddr must be 4 KiB aligned");
			break;
		case O_SEGS:
			o->nseg = (unsigned int)parse_size(optarg, "--segments");
			if (o->nseg < 1 || o->nseg > MAX_SEGS)
				die("--segments must be 1..%d", MAX_SEGS);
			break;
		case O_SIZE:
			o->size = parse_size(optarg, "--size");
			if (o->size > (1ull << 30))
				die("--size is limited to 1 GiB");
			break;
		case O_NORELOC:
			o->reloc = false;
			break;
		case O_NOEXTRAS:
			o->extras = false;
			break;
		case O_ELF64:
			o->elf64 = true;
			break;
		case O_BAD:
			for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
				if (!strcmp(optarg, bads[i].name))
					o->bad = (int)i;
			if (o->bad < 0)
				die("unknown --bad kind '%s' (see --help)", optarg);
			break;
		case O_DESCRIBE:
			o->describe = true;
			break;
		case O_RSC:
			o->rsc_table = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'", argv[optind]);
	if (!o->out)
		die("-o FILE is required (see --help)");
	if (!o->form_set) {
		size_t l = strlen(o->out);

		o->split = l >= 4 && !strcmp(o->out + l - 4, ".mdt");
	}
	if (!o->dlen)
		o->dlen = o->version >= 6 ? 48 : 32;
	if (o->size < o->nseg * 2ull)
		die("--size must give each segment at least 2 bytes");
	margin = o->bad >= 0 && bads[o->bad].kind == BAD_OUTSIDE_SPAN ? 1ull << 30 : 0;
	if (!o->elf64 && o->base + o->size + (o->nseg + 8ull) * 2 * PAGE + margin > (1ull << 32))
		die("--paddr too high for a 32-bit image of this size");
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case PT_NULL:
		return "NULL";
	case PT_LOAD:
		return "LOAD";
	case PT_NOTE:
		return "NOTE";
	default:
		return "OTHER";
	}
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The .resource_table section, a .shstrtab and the section header table (NULL, the two),
 * laid out from file offset @at; written to @out when not NULL.  Returns their size, and the
 * section header table's offset in *@shoff.
 */
static uint64_t build_sections(bool elf64, uint64_t at, uint8_t *out, uint64_t *shoff)
{
	static const char strtab[] = "\0.resource_table\0.shstrtab";
	const uint32_t types[] = { 1 /* DEVMEM */, 0 /* CARVEOUT */, 2 /* TRACE */ };
	uint8_t tab[16 + 3 * 4 + 3 * 56] = { 0 };
	uint64_t tab_len = sizeof(tab), str_at = at + tab_len, sh_at, shent = elf64 ? 64 : 40;

	put32(tab, 1);
	put32(tab + 4, 3);
	for (unsigned int i = 0; i < 3; i++) {
		uint8_t *e = tab + 28 + 56 * i;

		put32(tab + 16 + 4 * i, (uint32_t)(28 + 56 * i));
		put32(e, types[i]);
		if (i == 0) {
			put32(e + 4, 0x130000);  /* da */
			put32(e + 8, 0x130000);  /* pa */
			put32(e + 12, 0x1000);   /* len */
			put32(e + 16, 0x3);      /* IOMMU_READ | IOMMU_WRITE */
			memcpy(e + 24, "fw-devmem", 9);
		}
	}
	sh_at = (str_at + sizeof(strtab) + 7) & ~7ull;
	*shoff = sh_at;
	if (out) {
		const struct {
			uint32_t name, type;
			uint64_t off, size;
		} sh[3] = {
			{ 0, 0, 0, 0 },
			{ 1, 1 /* SHT_PROGBITS */, at, tab_len },
			{ 17, 3 /* SHT_STRTAB */, str_at, sizeof(strtab) },
		};

		memcpy(out, tab, tab_len);
		memcpy(out + (str_at - at), strtab, sizeof(strtab));
		for (unsigned int i = 0; i < 3; i++) {
			uint8_t *p = out + (sh_at - at) + i * shent;

			put32(p, sh[i].name);
			put32(p + 4, sh[i].type);
			if (elf64) {
				put64(p + 24, sh[i].off);
				put64(p + 32, sh[i].size);
				put64(p + 48, 1);
			} else {
				put32(p + 16, (uint32_t)sh[i].off);
				put32(p + 20, (uint32_t)sh[i].size);
				put32(p + 32, 1);
			}
		}
	}
	return sh_at + 3 * shent - at;
}

int main(int argc, char **argv)
{
	struct seg segs[MAX_SEGS + 8];
	uint64_t rsc_off = 0, shoff = 0;
	unsigned int n = 0, hidx, first_data, phnum;
	uint64_t cursor, hdr, fsize, off, min = UINT64_MAX, max = 0, goodspan;
	uint64_t weights[MAX_SEGS], wsum = 0, left;
	unsigned int ehsize, phentsize, lastdata = 0, bad_seg = (unsigned int)-1;
	enum bad bad = BAD_NONE;
	struct hashseg hs;
	struct opts o;
	uint8_t *f;
	bool reloc_any = false;

	parse_args(argc, argv, &o);
	if (o.bad >= 0)
		bad = bads[o.bad].kind;
	rng_state = o.seed * 0x2545f4914f6cdd1dull + o.version * 131 + o.dlen;
	ehsize = o.elf64 ? 64 : 52;
	phentsize = o.elf64 ? 56 : 32;
	if (o.rsc_table && o.split)
		die("--rsc-table needs the mbn form (the section is read from the one file)");
	if (bad == BAD_MISSING_BNN && !o.split)
		die("--bad missing-bnn needs the split form (--form split or a .mdt name)");
	if ((bad == BAD_OVERLAP) && o.nseg < 2)
		die("--bad overlap needs --segments 2 or more");

	/* program headers, in order */
	memset(segs, 0, sizeof(segs));
	segs[n++] = (struct seg){.type = PT_NULL, .flags = F_PHDR};
	if (o.version != 7)
		segs[n++] = (struct seg){.type = PT_NULL,
					 .flags = o.version == 6 ? F_HASH_NEW : F_HASH_OLD};
	first_data = n;
	for (unsigned int i = 0; i < o.nseg; i++) {
		weights[i] = 1 + rng() % 16;
		wsum += weights[i];
	}
	left = o.size;
	cursor = o.base;
	for (unsigned int i = 0; i < o.nseg; i++) {
		struct seg *s = &segs[n];
		uint64_t sz = i + 1 == o.nseg ? left : o.size * weights[i] / wsum;

		if (sz < 2)
			sz = 2;
		if (left - sz < 2ull * (o.nseg - i - 1))
			sz = left - 2ull * (o.nseg - i - 1);
		left -= sz;
		s->type = PT_LOAD;
		s->flags = (i == 0 ? 5 : 6) | (o.reloc ? F_RELOC : 0);
		s->filesz = sz;
		s->memsz = sz + ((rng() & 1) ? rng() % (3 * PAGE) : 0); /* some get a bss tail */
		s->paddr = s->vaddr = cursor;
		s->align = PAGE;
		s->data = true;
		cursor = ALIGN4K(cursor + s->memsz) + (rng() % 3) * PAGE; /* sometimes a gap */
		lastdata = n++;
	}
	if (o.extras) {
		uint32_t rf = o.reloc ? F_RELOC : 0;

		/* bss only: loadable, nothing in the file, zero digest */
		segs[n++] = (struct seg){.type = PT_LOAD, .flags = 6 | rf, .paddr = cursor,
					 .vaddr = cursor, .memsz = 3 * PAGE, .align = PAGE};
		cursor += 3 * PAGE;
		/* an empty PT_LOAD placeholder: not loadable */
		segs[n++] = (struct seg){.type = PT_LOAD, .flags = 6 | rf, .align = PAGE};
		/* PT_NOTE: hashed by the signer, ignored by loader and verifier */
		segs[n++] = (struct seg){.type = PT_NOTE, .flags = 4, .filesz = 48, .align = 4};
		/* access type SHARED: loaded, zero digest, not verified */
		segs[n++] = (struct seg){.type = PT_LOAD, .flags = 6 | rf | F_SHARED,
					 .paddr = cursor, .vaddr = cursor, .filesz = 200,
					 .memsz = PAGE, .align = PAGE};
		cursor += PAGE;
		/* access type NOTUSED, as in a boot-chain image (0x01600006): zero digest too */
		segs[n++] = (struct seg){.type = PT_LOAD, .flags = 6 | rf | F_NOTUSED,
					 .paddr = cursor, .vaddr = cursor, .filesz = 8, .memsz = 8,
					 .align = 8};
		cursor += PAGE;
	}
	if (o.version == 7)
		segs[n++] = (struct seg){.type = PT_NULL, .flags = F_HASH_NEW};
	hidx = o.version == 7 ? n - 1 : 1;
	phnum = n;

	/* span of the good image */
	for (unsigned int i = 0; i < phnum; i++) {
		struct seg *s = &segs[i];

		if (s->type != PT_LOAD || !s->memsz)
			continue;
		if (s->paddr < min)
			min = s->paddr;
		if (ALIGN4K(s->paddr + s->memsz) > max)
			max = ALIGN4K(s->paddr + s->memsz);
		reloc_any |= !!(s->flags & F_RELOC);
	}
	goodspan = max - min;

	/* file layout: headers, hash segment, then each segment 4 KiB aligned */
	hdr = ehsize + (uint64_t)phnum * phentsize;
	segs[0].filesz = hdr;
	build_hashseg(&o, phnum, o.version == 7 ? 0 : max, &hs);
	segs[hidx].offset = hdr;
	segs[hidx].filesz = segs[hidx].memsz = hs.len;
	segs[hidx].paddr = segs[hidx].vaddr = o.version == 7 ? 0 : max;
	segs[hidx].align = PAGE;
	off = hdr + hs.len;
	for (unsigned int i = 0; i < phnum; i++) {
		if (i == 0 || i == hidx)
			continue;
		if (!segs[i].filesz) {
			segs[i].offset = 0;
			continue;
		}
		off = ALIGN4K(off);
		segs[i].offset = off;
		off += segs[i].filesz;
	}
	fsize = off;
	if (o.rsc_table) {
		rsc_off = ALIGN4K(fsize);
		fsize = rsc_off + build_sections(o.elf64, rsc_off, NULL, &shoff);
	}

	/* mutations of the headers that the digests must cover (they are computed after) */
	if (bad == BAD_OUTSIDE_SPAN) {
		segs[lastdata].paddr += 1ull << 30;
		segs[lastdata].vaddr = segs[lastdata].paddr;
		bad_seg = lastdata;
	}

	f = calloc(1, fsize);
	if (!f)
		die("out of memory (%" PRIu64 " bytes)", fsize);
	memcpy(f, "\177ELF", 4);
	f[EI_CLASS] = o.elf64 ? ELFCLASS64 : ELFCLASS32;
	f[EI_DATA] = ELFDATA2LSB;
	f[EI_VERSION] = EV_CURRENT;
	put16(f + 16, ET_EXEC);
	put16(f + 18, EM_QDSP6);
	put32(f + 20, EV_CURRENT);
	if (o.elf64) {
		put64(f + 24, segs[first_data].paddr);
		put64(f + 32, ehsize);
		put16(f + 52, (uint16_t)ehsize);
		put16(f + 54, (uint16_t)phentsize);
		put16(f + 56, (uint16_t)phnum);
	} else {
		put32(f + 24, (uint32_t)segs[first_data].paddr);
		put32(f + 28, ehsize);
		put16(f + 40, (uint16_t)ehsize);
		put16(f + 42, (uint16_t)phentsize);
		put16(f + 44, (uint16_t)phnum);
	}
	if (o.rsc_table) {
		/* e_shoff, e_shentsize, e_shnum, e_shstrndx: in the hashed header */
		build_sections(o.elf64, rsc_off, f + rsc_off, &shoff);
		if (o.elf64) {
			put64(f + 40, shoff);
			put16(f + 58, 64);
			put16(f + 60, 3);
			put16(f + 62, 2);
		} else {
			put32(f + 32, (uint32_t)shoff);
			put16(f + 46, 40);
			put16(f + 48, 3);
			put16(f + 50, 2);
		}
	}
	for (unsigned int i = 0; i < phnum; i++) {
		struct seg *s = &segs[i];
		uint8_t *p = f + ehsize + (uint64_t)i * phentsize;

		if (i != 0 && i != hidx && s->filesz)
			fill_random(f + s->offset, s->filesz);
		put32(p, s->type);
		if (o.elf64) {
			put32(p + 4, s->flags);
			put64(p + 8, s->offset);
			put64(p + 16, s->vaddr);
			put64(p + 24, s->paddr);
			put64(p + 32, s->filesz);
			put64(p + 40, s->memsz);
			put64(p + 48, s->align);
		} else {
			put32(p + 4, (uint32_t)s->offset);
			put32(p + 8, (uint32_t)s->vaddr);
			put32(p + 12, (uint32_t)s->paddr);
			put32(p + 16, (uint32_t)s->filesz);
			put32(p + 20, (uint32_t)s->memsz);
			put32(p + 24, s->flags);
			put32(p + 28, (uint32_t)s->align);
		}
	}

	/* the hash table by the signer rule (doc/firmware-format.md#digest-rule, rule 6) */
	for (unsigned int i = 0; i < phnum; i++) {
		uint8_t *e = hs.buf + hs.table_off + (size_t)i * o.dlen;
		unsigned int access = (segs[i].flags >> 21) & 7;

		if (i == hidx || !segs[i].filesz || access == 3 || access == 4)
			continue; /* all zero */
		digest(o.dlen, f + segs[i].offset, segs[i].filesz, e);
	}
	memcpy(f + hdr, hs.buf, hs.len);

	/* mutations after hashing */
	switch (bad) {
	case BAD_FLIP: {
		unsigned int cand[MAX_SEGS], nc = 0;

		for (unsigned int i = first_data; i <= lastdata; i++)
			cand[nc++] = i;
		bad_seg = cand[rng() % nc];
		f[segs[bad_seg].offset + rng() % segs[bad_seg].filesz] ^= 0x5a;
		break;
	}
	case BAD_FLIP_HEADER:
		f[EI_PAD] ^= 0x01;
		bad_seg = 0;
		break;
	case BAD_HUGE_PADDR:
		bad_seg = lastdata;
		segs[bad_seg].paddr = o.elf64 ? ~0ull - PAGE + 1 : 0xfffff000u;
		if (segs[bad_seg].memsz < 2 * PAGE)
			segs[bad_seg].memsz = 2 * PAGE;
		break;
	case BAD_OVERLAP:
		bad_seg = first_data + 1;
		segs[bad_seg].paddr = segs[first_data].paddr + 16;
		break;
	case BAD_ABSURD_SIZE:
		bad_seg = lastdata;
		segs[bad_seg].filesz = segs[bad_seg].memsz = o.elf64 ? ~0ull : 0xffffffffu;
		break;
	case BAD_FILESZ_GT_MEMSZ:
		bad_seg = lastdata;
		segs[bad_seg].memsz = segs[bad_seg].filesz - 1;
		break;
	case BAD_NO_HASH:
		bad_seg = hidx;
		segs[hidx].flags = 0;
		break;
	case BAD_PHDR0_LOAD:
		bad_seg = 0;
		segs[0].type = PT_LOAD;
		break;
	default:
		break;
	}
	if (bad == BAD_HUGE_PADDR || bad == BAD_OVERLAP || bad == BAD_ABSURD_SIZE ||
	    bad == BAD_FILESZ_GT_MEMSZ || bad == BAD_NO_HASH || bad == BAD_PHDR0_LOAD) {
		struct seg *s = &segs[bad_seg];
		uint8_t *p = f + ehsize + (uint64_t)bad_seg * phentsize;

		put32(p, s->type);
		if (o.elf64) {
			put32(p + 4, s->flags);
			put64(p + 24, s->paddr);
			put64(p + 32, s->filesz);
			put64(p + 40, s->memsz);
		} else {
			put32(p + 12, (uint32_t)s->paddr);
			put32(p + 16, (uint32_t)s->filesz);
			put32(p + 20, (uint32_t)s->memsz);
			put32(p + 24, s->flags);
		}
	}
	if (bad == BAD_PHDR_PAST_EOF) {
		uint64_t at = (o.split ? hdr + hs.len : fsize) - 16;

		if (o.elf64)
			put64(f + 32, at);
		else
			put32(f + 28, (uint32_t)at);
	}
	if (bad == BAD_ABSURD_PHNUM)
		put16(f + (o.elf64 ? 56 : 44), 0xffff);
	if (bad == BAD_BAD_MAGIC)
		f[1] = 'X';
	if (bad == BAD_ELF64_CLASS)
		f[EI_CLASS] = o.elf64 ? ELFCLASS32 : ELFCLASS64;
	if (bad == BAD_VERSION)
		put32(f + hdr + 4, 4);

	/* write */
	if (!o.split) {
		uint64_t len = fsize;

		if (bad == BAD_TRUNCATE) {
			bad_seg = lastdata;
			len = segs[lastdata].offset + segs[lastdata].filesz / 2;
		}
		write_file(o.out, f, len);
	} else {
		write_file(o.out, f, hdr + hs.len); /* .mdt = headers + hash segment */
		for (unsigned int i = 0; i < phnum; i++) {
			char *b;
			uint64_t len = segs[i].filesz;

			if (i == 0)
				len = hdr; /* may be changed by a mutation: use the real bytes */
			else if (i == hidx)
				len = hs.len;
			if (!len || (segs[i].type == PT_LOAD && i != hidx && i > 0 &&
				     (segs[i].filesz > fsize)))
				continue;
			b = bnn_path(o.out, i);
			if (bad == BAD_MISSING_BNN && i == lastdata) {
				bad_seg = i;
				unlink(b);
			} else {
				uint64_t l = len;

				if (bad == BAD_TRUNCATE && i == lastdata) {
					bad_seg = i;
					l = len / 2;
				}
				write_file(b, f + segs[i].offset, l);
			}
			free(b);
		}
	}
	fprintf(stderr, "mkfw: note: %s: signatures and certificates are placeholder bytes, "
			"not a real signature\n",
		o.out);

	if (o.describe) {
		unsigned int checked = 0;
		bool first = true;

		printf("{\"files\": [\"%s\"", o.out);
		if (o.split) {
			for (unsigned int i = 0; i < phnum; i++) {
				char *b;

				if (!(i == 0 || i == hidx || segs[i].filesz))
					continue;
				b = bnn_path(o.out, i);
				printf(", \"%s\"", b);
				free(b);
			}
		}
		printf("], \"path\": \"%s\", \"form\": \"%s\", \"elf_class\": %u, "
		       "\"mbn_version\": %u, \"hash_alg\": \"%s\", \"digest_len\": %u, "
		       "\"phnum\": %u, \"hash_index\": %u, \"relocatable\": %s, ",
		       o.out, o.split ? "split" : "mbn", o.elf64 ? 64 : 32, o.version,
		       o.dlen == 32 ? "sha256" : "sha384", o.dlen, phnum, hidx,
		       reloc_any ? "true" : "false");
		printf("\"min_addr\": %" PRIu64 ", \"max_addr\": %" PRIu64 ", \"span\": %" PRIu64
		       ", \"carveout\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64 "}, "
		       "\"metadata_size\": %" PRIu64 ", \"file_size\": %" PRIu64 ", ",
		       min, max, goodspan, o.base, goodspan, hdr + hs.len,
		       o.split ? hdr + hs.len : fsize);
		printf("\"segments\": [");
		for (unsigned int i = 0; i < phnum; i++) {
			struct seg *s = &segs[i];
			unsigned int access = (s->flags >> 21) & 7;
			bool loadable = s->type == PT_LOAD && (s->flags & 0x07000000u) !=
								       0x02000000u && s->memsz;
			bool chk = i == 0 || (s->type == PT_LOAD && i != hidx && access != 3 &&
					      access != 4 && s->filesz > 0);
			bool hashed = !is_zero(hs.buf + hs.table_off + (size_t)i * o.dlen, o.dlen);

			if (bad == BAD_NONE || bad == BAD_FLIP || bad == BAD_FLIP_HEADER)
				checked += chk;
			printf("%s{\"index\": %u, \"type\": \"%s\", \"flags\": %u, "
			       "\"offset\": %" PRIu64 ", \"paddr\": %" PRIu64
			       ", \"filesz\": %" PRIu64 ", \"memsz\": %" PRIu64
			       ", \"loadable\": %s, \"checked\": %s, \"hashed\": %s}",
			       first ? "" : ", ", i, type_name(s->type), s->flags, s->offset,
			       s->paddr, s->filesz, s->memsz, loadable ? "true" : "false",
			       chk ? "true" : "false", hashed ? "true" : "false");
			first = false;
		}
		printf("], \"checked\": %u, \"bad\": ", checked);
		if (bad == BAD_NONE)
			printf("null");
		else
			printf("{\"kind\": \"%s\", \"stage\": \"%s\", \"errno\": \"%s\", "
			       "\"segment\": %d}",
			       bads[o.bad].name, bads[o.bad].stage, bads[o.bad].err, (int)bad_seg);
		printf("}\n");
	}
	free(hs.buf);
	free(f);
	return 0;
}
