# ansi2svg.awk: a terminal capture with ANSI SGR escapes (what `tmux
# capture-pane -e -p` prints) to an SVG picture of that terminal: dark
# background, monospace text, the 16/256/RGB colours, bold, dim, italic,
# underline, strike-through, reverse and hidden rendered, wide characters
# (CJK, emoji) given their two cells.
#
#   LC_ALL=C awk -v cols=120 -v rows=36 -v title='papyra console' \
#       -f ansi2svg.awk FILE.ans > FILE.svg
#
# cols/rows: the terminal size (default: what the capture uses); title: the
# text of the window bar (empty: no bar).  Portable POSIX awk (mawk, gawk,
# busybox, the one true awk), run in the C locale so strings are bytes: the
# UTF-8 decoding and the cell widths are done here.
#
# How the picture stays aligned whatever font the viewer picks: every
# character gets the x of its cell (an x list per text run), runs stop at
# gaps and at characters a monospace font may lack (those are placed one by
# one, centred on their cells), and the block elements (bars, sparklines)
# and the light box-drawing lines are drawn as rectangles, not glyphs.
# Each SGR state carries over line ends, as on a terminal.

BEGIN {
	if (length("\303\251") != 2) {
		print "ansi2svg.awk: run it in the C locale (LC_ALL=C awk ...): it decodes UTF-8 itself" | "cat 1>&2"
		bad = 1
		exit 2
	}
	for (i = 1; i < 256; i++)
		ORD[sprintf("%c", i)] = i
	for (i = 0; i < 16; i++)
		HEXV[substr("0123456789abcdef", i + 1, 1)] = i
	for (i = 0; i < 16; i++)
		HEXV[substr("0123456789ABCDEF", i + 1, 1)] = i

	# geometry, in px: cell width and height, font size, margins
	CW = 9; LH = 18; FS = 15; PADX = 12; PADY = 10; BASE = 14
	BAR = (title != "") ? 30 : 0

	# colours: default foreground and background, then the 16-colour
	# palette (VS Code's dark terminal), the 6x6x6 cube and the grey ramp
	DFG = "#cccccc"; DBG = "#1e1e1e"
	np = split("000000 cd3131 0dbc79 e5e510 2472c8 bc3fbc 11a8cd e5e5e5 " \
	    "666666 f14c4c 23d18b f5f543 3b8eea d670d6 29b8db ffffff", P, " ")
	for (i = 0; i < 16; i++)
		PAL[i] = "#" P[i + 1]
	split("0 95 135 175 215 255", LV, " ")
	for (i = 16; i < 232; i++) {
		n = i - 16
		PAL[i] = sprintf("#%02x%02x%02x", LV[int(n / 36) + 1], LV[int(n / 6) % 6 + 1], LV[n % 6 + 1])
	}
	for (i = 232; i < 256; i++) {
		v = 8 + 10 * (i - 232)
		PAL[i] = sprintf("#%02x%02x%02x", v, v, v)
	}

	# display widths (wcwidth): zero-width marks, then two-cell characters
	nz = ranges("0300-036F 0483-0489 0591-05BD 05BF 05C1-05C2 05C4-05C5 05C7 " \
	    "0610-061A 064B-065F 0670 06D6-06DC 06DF-06E4 06E7-06E8 06EA-06ED " \
	    "0E31 0E34-0E3A 0E47-0E4E 1AB0-1AFF 1DC0-1DFF 200B-200F 202A-202E " \
	    "2060-2064 20D0-20FF FE00-FE0F FE20-FE2F FEFF 1F3FB-1F3FF " \
	    "E0000-E007F E0100-E01EF", ZLO, ZHI)
	nw = ranges("1100-115F 231A-231B 2329-232A 23E9-23EC 23F0 23F3 25FD-25FE " \
	    "2614-2615 2648-2653 267F 2693 26A1 26AA-26AB 26BD-26BE 26C4-26C5 " \
	    "26CE 26D4 26EA 26F2-26F3 26F5 26FA 26FD 2705 270A-270B 2728 274C " \
	    "274E 2753-2755 2757 2795-2797 27B0 27BF 2B1B-2B1C 2B50 2B55 " \
	    "2E80-303E 3041-33FF 3400-4DBF 4E00-9FFF A000-A4CF A960-A97F " \
	    "AC00-D7A3 F900-FAFF FE10-FE19 FE30-FE6F FF00-FF60 FFE0-FFE6 " \
	    "16FE0-16FE4 17000-18CFF 1B000-1B2FF 1F004 1F0CF 1F18E 1F191-1F19A " \
	    "1F200-1F202 1F210-1F23B 1F240-1F248 1F250-1F251 1F260-1F265 " \
	    "1F300-1F320 1F32D-1F335 1F337-1F37C 1F37E-1F393 1F3A0-1F3CA " \
	    "1F3CF-1F3D3 1F3E0-1F3F0 1F3F4 1F3F8-1F43E 1F440 1F442-1F4FC " \
	    "1F4FF-1F53D 1F54B-1F54E 1F550-1F567 1F57A 1F595-1F596 1F5A4 " \
	    "1F5FB-1F64F 1F680-1F6C5 1F6CC 1F6D0-1F6D2 1F6D5-1F6D7 1F6DC-1F6DF " \
	    "1F6EB-1F6EC 1F6F4-1F6FC 1F7E0-1F7EB 1F7F0 1F90C-1F93A 1F93C-1F945 " \
	    "1F947-1F9FF 1FA70-1FAFF 20000-2FFFD 30000-3FFFD", WLO, WHI)

	# light and heavy box drawing: which half-lines each one has
	# (L left, R right, U up, D down; upper case heavy)
	boxes("2500 LR,2501 lr,2502 UD,2503 ud,250C RD,250F rd,2510 LD,2513 ld," \
	    "2514 RU,2517 ru,2518 LU,251B lu,251C UDR,2523 udr,2524 UDL,252B udl," \
	    "252C LRD,2533 lrd,2534 LRU,253B lru,253C LRUD,254B lrud," \
	    "256D RD,256E LD,256F LU,2570 RU,2574 L,2575 U,2576 R,2577 D")

	sgr("0")
	row = 0
	maxcol = 0
}

# "lo-hi lo hi-..." (hex) into the parallel arrays LO and HI; returns the count
function ranges(spec, LO, HI,    k, n, t, a, d) {
	n = split(spec, t, " ")
	for (k = 1; k <= n; k++) {
		if ((d = index(t[k], "-")) > 0) {
			LO[k] = hex(substr(t[k], 1, d - 1))
			HI[k] = hex(substr(t[k], d + 1))
		} else
			LO[k] = HI[k] = hex(t[k])
	}
	return n
}

function hex(s,    k, v) {
	v = 0
	for (k = 1; k <= length(s); k++)
		v = v * 16 + HEXV[substr(s, k, 1)]
	return v
}

function boxes(spec,    k, n, t, u) {
	n = split(spec, t, ",")
	for (k = 1; k <= n; k++) {
		split(t[k], u, " ")
		BOX[hex(u[1])] = u[2]
	}
}

function wcw(cp,    k) {
	if (cp in WCACHE)
		return WCACHE[cp]
	for (k = 1; k <= nz; k++)
		if (cp >= ZLO[k] && cp <= ZHI[k])
			return WCACHE[cp] = 0
	for (k = 1; k <= nw; k++)
		if (cp >= WLO[k] && cp <= WHI[k])
			return WCACHE[cp] = 2
	return WCACHE[cp] = 1
}

# --- the SGR state --------------------------------------------------------

function colour(i) {
	i = int(i)
	return (i >= 0 && i < 256) ? PAL[i] : ""
}

function rgb(r, g, b) {
	r = int(r); g = int(g); b = int(b)
	if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255)
		return ""
	return sprintf("#%02x%02x%02x", r, g, b)
}

# an extended colour (38/48/58) in colon form: "38:5:N", "38:2:R:G:B" or
# "38:2:CS:R:G:B"
function xcolour(a,    s, n) {
	n = split(a, s, ":")
	if (s[2] == "5")
		return colour(s[3])
	if (s[2] == "2")
		return n >= 6 ? rgb(s[4], s[5], s[6]) : rgb(s[3], s[4], s[5])
	return ""
}

function setcol(which, c) {
	if (which == 38)
		SFG = c
	else if (which == 48)
		SBG = c
}

function sgr(p,    a, k, n, code, c, sp) {
	if (p == "")
		p = "0"
	n = split(p, a, ";")
	for (k = 1; k <= n; k++) {
		if (index(a[k], ":")) {
			split(a[k], sp, ":")
			code = sp[1] + 0
			if (code == 38 || code == 48)
				setcol(code, xcolour(a[k]))
			else if (code == 4)
				SU = (sp[2] + 0 != 0)
			continue
		}
		code = a[k] + 0
		if (code == 0) {
			SFG = SBG = ""
			SB = SD = SI = SU = SR = SH = SS = 0
		} else if (code == 1) SB = 1
		else if (code == 2) SD = 1
		else if (code == 3) SI = 1
		else if (code == 4 || code == 21) SU = 1
		else if (code == 7) SR = 1
		else if (code == 8) SH = 1
		else if (code == 9) SS = 1
		else if (code == 22) SB = SD = 0
		else if (code == 23) SI = 0
		else if (code == 24) SU = 0
		else if (code == 27) SR = 0
		else if (code == 28) SH = 0
		else if (code == 29) SS = 0
		else if (code >= 30 && code <= 37) SFG = PAL[code - 30]
		else if (code == 39) SFG = ""
		else if (code >= 40 && code <= 47) SBG = PAL[code - 40]
		else if (code == 49) SBG = ""
		else if (code >= 90 && code <= 97) SFG = PAL[code - 90 + 8]
		else if (code >= 100 && code <= 107) SBG = PAL[code - 100 + 8]
		else if (code == 38 || code == 48 || code == 58) {
			c = ""
			if (a[k + 1] == "5") {
				c = colour(a[k + 2]); k += 2
			} else if (a[k + 1] == "2") {
				c = rgb(a[k + 2], a[k + 3], a[k + 4]); k += 4
			}
			setcol(code, c)
		}
	}
	CUR = SFG "|" SBG "|" SB SD SI SU SR SH SS
}

# --- reading the capture ----------------------------------------------------

# an escape sequence at i: applies SGR, skips the rest; returns the next index
function esc(s, i, n,    c, j, o, p) {
	c = substr(s, i + 1, 1)
	if (c == "[") {
		p = ""
		for (j = i + 2; j <= n; j++) {
			o = ORD[substr(s, j, 1)]
			if (o >= 64 && o <= 126)
				break
			p = p substr(s, j, 1)
		}
		if (j <= n && substr(s, j, 1) == "m")
			sgr(p)
		return j + 1
	}
	if (c == "]" || c == "P" || c == "_" || c == "^") {
		# OSC, DCS and friends: up to BEL or ESC backslash
		for (j = i + 2; j <= n; j++) {
			o = ORD[substr(s, j, 1)]
			if (o == 7)
				return j + 1
			if (o == 27 && substr(s, j + 1, 1) == "\\")
				return j + 2
		}
		return n + 1
	}
	if (c == "(" || c == ")" || c == "#" || c == "%")
		return i + 3
	return i + 2
}

function put(r, c, ch, cp, w) {
	CH[r, c] = ch; CP[r, c] = cp; W[r, c] = w; ST[r, c] = CUR
	if (w == 2) {
		W[r, c + 1] = -1; ST[r, c + 1] = CUR
	}
	if (c + w > maxcol)
		maxcol = c + w
}

{
	s = $0
	n = length(s)
	col = 0
	i = 1
	while (i <= n) {
		b = ORD[substr(s, i, 1)]
		if (b == 27) {
			i = esc(s, i, n)
			continue
		}
		if (b < 32 || b == 127) {
			if (b == 9)
				col = (int(col / 8) + 1) * 8
			i++
			continue
		}
		if (b < 128) {
			put(row, col, substr(s, i, 1), b, 1)
			col++
			i++
			continue
		}
		# UTF-8: length from the lead byte, then the continuation bytes;
		# overlong forms, surrogates, U+FFFE/U+FFFF and anything past
		# U+10FFFF are not characters an XML file may hold, C1 controls are not
		# text a terminal shows: U+FFFD
		len = 0
		if (b >= 194 && b <= 223) { len = 2; cp = b - 192 }
		else if (b >= 224 && b <= 239) { len = 3; cp = b - 224 }
		else if (b >= 240 && b <= 244) { len = 4; cp = b - 240 }
		ok = (len > 0 && i + len - 1 <= n)
		for (k = 1; ok && k < len; k++) {
			o = ORD[substr(s, i + k, 1)]
			if (o < 128 || o > 191)
				ok = 0
			else
				cp = cp * 64 + (o - 128)
		}
		if (ok && ((len == 3 && cp < 2048) || (len == 4 && (cp < 65536 || cp > 1114111)) ||
		    (cp >= 55296 && cp <= 57343) || cp == 65534 || cp == 65535 || (cp >= 128 && cp < 160)))
			ok = 0
		if (!ok) {
			put(row, col, "\357\277\275", 65533, 1)
			col++
			i++
			continue
		}
		w = wcw(cp)
		if (w == 0) {
			# a combining mark or joiner: part of the previous cell
			p = col - 1
			if (p >= 0 && W[row, p] == -1)
				p--
			if (p >= 0 && (row, p) in CH) {
				CH[row, p] = CH[row, p] substr(s, i, len)
				CX[row, p] = 1
			}
			i += len
			continue
		}
		put(row, col, substr(s, i, len), cp, w)
		col += w
		i += len
	}
	row++
}

# --- drawing ----------------------------------------------------------------

function esc_xml(t) {
	gsub(/&/, "\\&amp;", t)
	gsub(/</, "\\&lt;", t)
	gsub(/>/, "\\&gt;", t)
	gsub(/"/, "\\&quot;", t)
	return t
}

# effective colours and text attributes of a style: EF (text colour), EB
# (background, "" when the default), EA (text attributes as a class list),
# EU/ES (underline/strike-through)
function eff(st,    t, f, g, tmp) {
	if (st in EFC) {
		EF = EFC[st]; EB = EBC[st]; EA = EAC[st]; EU = EUC[st]; ES = ESC[st]
		return
	}
	split(st, t, "|")
	f = (t[1] == "") ? DFG : t[1]
	g = t[2]
	if (substr(t[3], 5, 1) == "1") {
		tmp = (g == "") ? DBG : g
		g = f
		f = tmp
	}
	if (substr(t[3], 6, 1) == "1")
		f = (g == "") ? DBG : g
	EA = ""
	if (substr(t[3], 1, 1) == "1") EA = EA " b"
	if (substr(t[3], 2, 1) == "1") EA = EA " d"
	if (substr(t[3], 3, 1) == "1") EA = EA " i"
	EA = substr(EA, 2)
	EF = f; EB = g
	EU = (substr(t[3], 4, 1) == "1")
	ES = (substr(t[3], 7, 1) == "1")
	EFC[st] = EF; EBC[st] = EB; EAC[st] = EA; EUC[st] = EU; ESC[st] = ES
}

function paint(f, a,    s) {
	s = ""
	if (f != DFG)
		s = " fill=\"" f "\""
	if (a != "")
		s = s " class=\"" a "\""
	return s
}

function rect(x, y, w, h, f, a) {
	return "<rect x=\"" x "\" y=\"" y "\" width=\"" w "\" height=\"" h "\" fill=\"" f "\"" \
	    (index(a, "d") ? " opacity=\".55\"" : "") "/>\n"
}

# a block element drawn as a band across the whole cell: sets BY, BH, BO
# (top, height, opacity); 0 when cp is not one
function band(cp) {
	BO = 1
	if (cp == 9608) { BY = 0; BH = LH; return 1 }                     # full block
	if (cp >= 9601 && cp <= 9607) {                                    # lower 1/8 .. 7/8
		BH = int(LH * (cp - 9600) / 8 + 0.5); BY = LH - BH; return 1
	}
	if (cp == 9600) { BY = 0; BH = LH / 2; return 1 }                 # upper half
	if (cp == 9620) { BY = 0; BH = int(LH / 8 + 0.5); return 1 }      # upper 1/8
	if (cp >= 9617 && cp <= 9619) {                                    # light, medium, dark shade
		BY = 0; BH = LH; BO = (cp - 9616) / 4; return 1
	}
	if (cp == 9472) { BY = LH / 2; BH = 1; return 1 }                 # box drawing light horizontal
	if (cp == 9473) { BY = LH / 2 - 1; BH = 2; return 1 }             # heavy horizontal
	return 0
}

# the other drawn characters, in one cell at x, y: left/right blocks and box
# drawing with vertical parts
function shape(cp, x, y, f, a,    s, k, m, t, segs, c, h, v, cx, cy) {
	if (cp >= 9609 && cp <= 9615)                                      # left 7/8 .. 1/8
		return rect(x, y, int(CW * (9616 - cp) / 8 + 0.5), LH, f, a)
	if (cp == 9616)                                                    # right half
		return rect(x + int(CW / 2), y, CW - int(CW / 2), LH, f, a)
	if (cp == 9621)                                                    # right 1/8
		return rect(x + CW - 1, y, 1, LH, f, a)
	segs = BOX[cp]
	s = ""
	cx = x + int(CW / 2); cy = y + LH / 2
	for (k = 1; k <= length(segs); k++) {
		c = substr(segs, k, 1)
		t = (c ~ /[lrud]/) ? 2 : 1
		h = (t == 2) ? 1 : 0
		if (c == "L" || c == "l") s = s rect(x, cy - h, cx - x + t, t, f, a)
		if (c == "R" || c == "r") s = s rect(cx - h, cy - h, x + CW - cx + h, t, f, a)
		if (c == "U" || c == "u") s = s rect(cx - h, y, t, cy - y + t - h, f, a)
		if (c == "D" || c == "d") s = s rect(cx - h, cy - h, t, y + LH - cy + h, f, a)
	}
	return s
}

function drawn(cp) {
	return band(cp) || (cp >= 9609 && cp <= 9616) || cp == 9621 || (cp in BOX)
}

# a character that stays in a text run: printable ASCII, or a one-cell
# Latin, Greek or Cyrillic letter every monospace font has
function runnable(r, c) {
	return W[r, c] == 1 && !((r, c) in CX) && CP[r, c] > 32 && CP[r, c] < 1328 && CP[r, c] != 127
}

function flush_run() {
	if (RUNX != "")
		TXT = TXT "<text x=\"" substr(RUNX, 2) "\" y=\"" RUNY "\"" paint(RUNF, RUNA) ">" esc_xml(RUNT) "</text>\n"
	RUNX = ""; RUNT = ""; RUNK = ""; GAP = 0
}

function flush_band(    s) {
	if (BNDN > 0) {
		s = rect(BNDX, BNDY, BNDN * CW, BNDH, BNDF, BNDA)
		if (BNDO < 1)
			s = substr(s, 1, length(s) - 3) " fill-opacity=\"" BNDO "\"/>\n"
		SHP = SHP s
	}
	BNDN = 0; BNDK = ""
}

# a cell that shows nothing: never written, the right half of a wide
# character, a space, or a character in its own background colour (hidden)
function blank(r, c) {
	if (!((r, c) in W) || W[r, c] == -1)
		return 1
	eff(ST[r, c])
	if (CP[r, c] == 32 && !((r, c) in CX))
		return 1
	return EF == EB
}

END {
	if (bad)
		exit 2
	if (cols == "" || cols + 0 < maxcol)
		cols = maxcol
	if (rows == "" || rows + 0 < row)
		rows = row
	cols += 0; rows += 0
	if (cols < 1) cols = 1
	if (rows < 1) rows = 1
	WIDTH = 2 * PADX + cols * CW
	HEIGHT = BAR + 2 * PADY + rows * LH

	BGS = ""; SHP = ""; TXT = ""
	for (r = 0; r < rows; r++) {
		y = r * LH
		# backgrounds, underline and strike-through lines
		pg = ""; pc = 0
		pu = ""; uc = 0
		ps = ""; sc = 0
		for (c = 0; c <= cols; c++) {
			if (c < cols && (r, c) in ST) {
				eff(ST[r, c]); g = EB
				u = EU ? EF : ""
				k = ES ? EF : ""
			} else
				g = u = k = ""
			if (g != pg) {
				if (pg != "")
					BGS = BGS rect(pc * CW, y, (c - pc) * CW, LH, pg, "")
				pg = g; pc = c
			}
			if (u != pu) {
				if (pu != "")
					SHP = SHP rect(uc * CW, y + BASE + 2, (c - uc) * CW, 1, pu, "")
				pu = u; uc = c
			}
			if (k != ps) {
				if (ps != "")
					SHP = SHP rect(sc * CW, y + int(LH / 2) + 1, (c - sc) * CW, 1, ps, "")
				ps = k; sc = c
			}
		}
		# characters: text runs, lone glyphs, drawn shapes
		RUNX = ""; RUNT = ""; RUNK = ""; GAP = 0; BNDN = 0; BNDK = ""
		for (c = 0; c < cols; c++) {
			if (blank(r, c)) {
				if (RUNX != "" && ++GAP > 1)
					flush_run()
				flush_band()
				continue
			}
			cp = CP[r, c]
			if (!((r, c) in CX) && drawn(cp)) {
				flush_run()
				if (band(cp)) {
					key = cp "|" EF "|" EA
					if (key != BNDK || BNDX + BNDN * CW != c * CW) {
						flush_band()
						BNDK = key; BNDX = c * CW; BNDY = y + BY; BNDH = BH
						BNDO = BO; BNDF = EF; BNDA = EA
					}
					BNDN++
				} else {
					flush_band()
					SHP = SHP shape(cp, c * CW, y, EF, EA)
				}
				continue
			}
			flush_band()
			if (runnable(r, c)) {
				key = EF "|" EA
				if (RUNX != "" && key != RUNK)
					flush_run()
				if (RUNX == "") {
					RUNK = key; RUNF = EF; RUNA = EA; RUNY = y + BASE
				} else if (GAP) {
					RUNX = RUNX " " (c - 1) * CW
					RUNT = RUNT " "
				}
				GAP = 0
				RUNX = RUNX " " c * CW
				RUNT = RUNT CH[r, c]
				continue
			}
			# a lone glyph, centred on its one or two cells
			flush_run()
			TXT = TXT "<text x=\"" (c * CW + (W[r, c] == 2 ? CW : CW / 2)) "\" y=\"" (y + BASE) \
			    "\" class=\"m" (EA != "" ? " " EA : "") "\"" (EF != DFG ? " fill=\"" EF "\"" : "") ">" \
			    esc_xml(CH[r, c]) "</text>\n"
		}
		flush_run()
		flush_band()
	}

	t = esc_xml(title)
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"%s>\n",
	    WIDTH, HEIGHT, WIDTH, HEIGHT, (t != "" ? " aria-label=\"" t "\"" : "")
	if (t != "")
		printf "<title>%s</title>\n", t
	printf "<style>\n"
	printf "text{font-family:'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace;font-size:%dpx;white-space:pre}\n", FS
	printf ".b{font-weight:bold}.i{font-style:italic}.d{opacity:.55}.m{text-anchor:middle}\n"
	printf "</style>\n"
	printf "<rect width=\"%d\" height=\"%d\" rx=\"8\" fill=\"%s\"/>\n", WIDTH, HEIGHT, DBG
	if (BAR) {
		printf "<path d=\"M0 %d V8 A8 8 0 0 1 8 0 H%d A8 8 0 0 1 %d 8 V%d Z\" fill=\"#323232\"/>\n",
		    BAR, WIDTH - 8, WIDTH, BAR
		printf "<circle cx=\"20\" cy=\"15\" r=\"6\" fill=\"#ff5f57\"/><circle cx=\"40\" cy=\"15\" r=\"6\" fill=\"#febc2e\"/><circle cx=\"60\" cy=\"15\" r=\"6\" fill=\"#28c840\"/>\n"
		printf "<text x=\"%d\" y=\"20\" class=\"m\" style=\"font-size:13px;fill:#a0a0a0\">%s</text>\n", WIDTH / 2, t
	}
	printf "<g transform=\"translate(%d,%d)\" fill=\"%s\">\n", PADX, BAR + PADY, DFG
	printf "%s%s", BGS, SHP
	printf "%s", TXT
	printf "</g>\n</svg>\n"
}
