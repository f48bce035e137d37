#!/usr/bin/env python3
"""Independent Mach-O / code-signature fact extractor (stdlib + openssl CLI only).

usage: facts.py FILE [outdir]
Prints JSON with per-slice facts. Writes each CodeDirectory blob and the CMS blob
into outdir (default /tmp/facts) so cdhash can be re-derived with
`openssl dgst -sha256 cd.bin | cut -c1-40` and certificates / timestamp printed with
`openssl pkcs7 -print_certs` and `openssl ts -reply -token_in -text`.
"""
import hashlib, json, os, plistlib, struct, subprocess, sys

CPU = {7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64", 18: "ppc", 0x01000012: "ppc64"}
FTYPE = {1: "MH_OBJECT", 2: "MH_EXECUTE", 6: "MH_DYLIB", 8: "MH_BUNDLE"}
HASH = {1: ("sha1", 20), 2: ("sha256", 32), 3: ("sha256_truncated", 20), 4: ("sha384", 48)}
PLATFORM = {1: "macOS", 2: "iOS", 3: "tvOS", 4: "watchOS", 6: "macCatalyst"}
SLOT = {0: "CodeDirectory", 1: "Info", 2: "Requirements", 3: "Resources", 4: "Application",
        5: "Entitlements", 7: "DEREntitlements", 0x10000: "CMS", 0x10001: "Identification", 0x10002: "Ticket"}


def ver(v):
    return "%d.%d" % (v >> 16, (v >> 8) & 0xff) + ("" if v & 0xff == 0 else ".%d" % (v & 0xff))


# ---- minimal DER reader -------------------------------------------------------
def tlv(b, i):
    """returns tag, content start, content end, element end (handles BER indefinite length)"""
    tag = b[i]; i += 1
    l = b[i]; i += 1
    if l == 0x80:  # indefinite length (Apple codesign emits BER)
        j = i
        while b[j:j + 2] != b"\0\0":
            j = tlv4(b, j)[3]
        return tag, i, j, j + 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i:i + n], "big"); i += n
    return tag, i, i + l, i + l


tlv4 = tlv


def children(b, s, e):
    out = []
    while s < e:
        if b[s:s + 2] == b"\0\0":
            break
        t, cs, ce, ee = tlv(b, s)
        out.append((t, cs, ce, s, ee)); s = ee
    return out


def oid(b):
    v = [b[0] // 40, b[0] % 40]; n = 0
    for x in b[1:]:
        n = (n << 7) | (x & 0x7f)
        if not x & 0x80:
            v.append(n); n = 0
    return ".".join(map(str, v))


def cms_facts(der, outdir, tag):
    # ContentInfo -> [0] -> SignedData
    t, s, e, _e = tlv(der, 0)
    ci = children(der, s, e)
    _, s0, e0, _, _x = ci[1]
    t, s, e, _e = tlv(der, s0)
    sd = children(der, s, e)
    signer_infos = [c for c in sd if c[0] == 0x31][-1]
    sis = children(der, signer_infos[1], signer_infos[2])
    res = {"signer_count": len(sis), "signer": signer_facts(der)}
    si = children(der, sis[0][1], sis[0][2])
    for c in si:
        if c[0] in (0xA0, 0xA1):
            attrs = children(der, c[1], c[2])
            for a in attrs:
                ae = children(der, a[1], a[2])
                o = oid(der[ae[0][1]:ae[0][2]])
                vals = children(der, ae[1][1], ae[1][2])
                if o == "1.2.840.113549.1.9.5":
                    res["signing_time"] = der[vals[0][1]:vals[0][2]].decode()
                elif o == "1.2.840.113549.1.9.4":
                    res["message_digest"] = der[vals[0][1]:vals[0][2]].hex()
                elif o == "1.2.840.113635.100.9.1":
                    pl = plistlib.loads(der[vals[0][1]:vals[0][2]])
                    res["cdhashes_plist"] = [x.hex() for x in pl.get("cdhashes", [])]
                elif o == "1.2.840.113635.100.9.2":
                    res["cdhashes2_present"] = True
                elif o == "1.2.840.113549.1.9.16.2.14":
                    tok = der[vals[0][3]:vals[0][4]]
                    p = os.path.join(outdir, tag + ".tstoken.der")
                    open(p, "wb").write(tok)
                    res["timestamp_token_file"] = p
                    res["gen_time"] = tst_gentime(tok)
                    res["timestamp_signer"] = signer_facts(tok)
    return res


DIGEST_OIDS = {"1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
               "2.16.840.1.101.3.4.2.3": "sha512"}


def signer_facts(der):
    """Signer of a CMS SignedData (code signature or RFC 3161 token): digest algorithm,
    the signer certificate (matched by issuerAndSerialNumber) and its subject/validity."""
    t, s, e, _e = tlv(der, 0)
    ci = children(der, s, e)
    t, s, e, _e = tlv(der, ci[1][1])
    sd = children(der, s, e)
    certs = []
    for c in sd:
        if c[0] == 0xA0:
            for cert in children(der, c[1], c[2]):
                tbs = children(der, cert[1], cert[2])[0]
                tf = children(der, tbs[1], tbs[2])
                serial = tf[1] if tf[0][0] == 0xA0 else tf[0]
                certs.append((int.from_bytes(der[serial[1]:serial[2]], "big"), der[cert[3]:cert[4]]))
    si_set = [c for c in sd if c[0] == 0x31][-1]
    si = children(der, *children(der, si_set[1], si_set[2])[0][1:3])
    sid = si[1]
    serial = None
    if sid[0] == 0x30:
        ias = children(der, sid[1], sid[2])
        serial = int.from_bytes(der[ias[1][1]:ias[1][2]], "big")
    dalg = children(der, si[2][1], si[2][2])[0]
    o = oid(der[dalg[1]:dalg[2]])
    res = {"digest": DIGEST_OIDS.get(o, o), "cert_count": len(certs), "signer_cert_found": False}
    for sn, cder in certs:
        if sn == serial:
            out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject", "-startdate", "-enddate",
                                  "-nameopt", "RFC2253"], input=cder, capture_output=True).stdout.decode()
            for l in out.splitlines():
                k, _, v = l.partition("=")
                if k == "subject":
                    res["subject"] = v
                    for rdn in v.split(","):
                        a, _, b = rdn.partition("=")
                        if a.strip() in ("CN", "OU") and a.strip().lower() not in res:
                            res[a.strip().lower()] = b
                elif k == "notBefore":
                    res["not_before"] = v
                elif k == "notAfter":
                    res["not_after"] = v
            res["signer_cert_found"] = True
    return res


def tst_gentime(tok):
    t, s, e, _e = tlv(tok, 0)
    ci = children(tok, s, e)
    t, s, e, _e = tlv(tok, ci[1][1])
    sd = children(tok, s, e)
    eci = children(tok, sd[2][1], sd[2][2])  # encapContentInfo
    t, s, e, _e = tlv(tok, eci[1][1])  # [0] -> OCTET STRING
    t, s, e, _e = tlv(tok, s)
    tst = children(tok, s, e)
    tst_seq = children(tok, tst[0][1], tst[0][2]) if tst[0][0] == 0x30 and len(tst) == 1 else tst
    for c in tst_seq:
        if c[0] == 0x18:
            return tok[c[1]:c[2]].decode()
    return None


def slice_facts(data, off, size, outdir, idx):
    m = data[off:off + size]
    magic_le = struct.unpack("<I", m[:4])[0]
    if magic_le in (0xfeedface, 0xfeedfacf):
        en = "<"
    else:
        en = ">"
    magic, cpu, sub, ftype, ncmds, sizeofcmds, flags = struct.unpack(en + "7I", m[:28])
    hdr = 32 if magic == 0xfeedfacf else 28
    f = {"arch": CPU.get(cpu, hex(cpu)), "endian": "little" if en == "<" else "big",
         "filetype": FTYPE.get(ftype, hex(ftype)), "platform": None, "minos": None, "sdk": None,
         "load_command": None}
    p = hdr; cs = None
    for _ in range(ncmds):
        cmd, csz = struct.unpack(en + "2I", m[p:p + 8])
        if cmd == 0x32:
            plat, minos, sdk = struct.unpack(en + "3I", m[p + 8:p + 20])
            f.update(platform=PLATFORM.get(plat, str(plat)), minos=ver(minos), sdk=ver(sdk), load_command="LC_BUILD_VERSION")
        elif cmd == 0x24 and f["load_command"] is None:
            v, sdk = struct.unpack(en + "2I", m[p + 8:p + 16])
            f.update(platform="macOS", minos=ver(v), sdk=ver(sdk), load_command="LC_VERSION_MIN_MACOSX")
        elif cmd == 0x1d:
            cs = struct.unpack(en + "2I", m[p + 8:p + 16])
        p += csz
    if not cs:
        f["signed"] = False
        return f
    dataoff, datasize = cs
    f["code_signature"] = {"dataoff": dataoff, "datasize": datasize,
                           "bytes_after_signature_in_slice": size - (dataoff + datasize)}
    sb = m[dataoff:dataoff + datasize]
    smagic, slen, count = struct.unpack(">3I", sb[:12])
    assert smagic == 0xfade0cc0, hex(smagic)
    slots = []
    cds = []; cms = None; ents = None
    for i in range(count):
        typ, boff = struct.unpack(">2I", sb[12 + 8 * i:20 + 8 * i])
        bmagic, blen = struct.unpack(">2I", sb[boff:boff + 8])
        blob = sb[boff:boff + blen]
        slots.append({"slot": hex(typ), "name": SLOT.get(typ, "AlternateCodeDirectory" if 0x1000 <= typ < 0x1005 else "?"),
                      "magic": hex(bmagic), "length": blen})
        if typ == 0 or 0x1000 <= typ < 0x1005:
            cds.append((typ, blob))
        elif typ == 0x10000:
            cms = blob[8:]
        elif typ == 5:
            ents = blob[8:]
    f["superblob_slots"] = slots
    f["code_directories"] = []
    for typ, blob in cds:
        (magic, length, version, flags, hashOffset, identOffset, nSpecial, nCode, codeLimit,
         hashSize, hashType, platform, pageSizeLog, spare2) = struct.unpack(">7I2I4BI", blob[:44])
        teamOffset = struct.unpack(">I", blob[48:52])[0] if version >= 0x20200 else 0
        execSegFlags = runtime = None
        if version >= 0x20400:
            execSegBase, execSegLimit, execSegFlags = struct.unpack(">3Q", blob[64:88])
        if version >= 0x20500:
            runtime = struct.unpack(">I", blob[88:92])[0]
        ident = blob[identOffset:blob.index(b"\0", identOffset)].decode()
        team = blob[teamOffset:blob.index(b"\0", teamOffset)].decode() if teamOffset else ""
        hname, hlen = HASH[hashType]
        hf = "sha256" if hname == "sha256_truncated" else hname
        full = hashlib.new(hf, blob).hexdigest()
        p = os.path.join(outdir, "%s.slice%d.cd%s.bin" % (os.path.basename(outdir), idx, hex(typ)))
        open(p, "wb").write(blob)
        # page hash verification (independent of any Mach-O library)
        ps = 1 << pageSizeLog if pageSizeLog else codeLimit
        bad = 0
        for n in range(nCode):
            page = m[n * ps:min((n + 1) * ps, codeLimit)]
            want = blob[hashOffset + n * hashSize:hashOffset + (n + 1) * hashSize]
            if hashlib.new(hf, page).digest()[:hashSize] != want:
                bad += 1
        # check special slots against actual blobs
        spec_ok = {}
        for i in range(count):
            typ2, boff = struct.unpack(">2I", sb[12 + 8 * i:20 + 8 * i])
            if 1 <= typ2 <= 7 and typ2 <= nSpecial:
                blen = struct.unpack(">I", sb[boff + 4:boff + 8])[0]
                want = blob[hashOffset - typ2 * hashSize:hashOffset - (typ2 - 1) * hashSize]
                spec_ok[SLOT.get(typ2, str(typ2))] = hashlib.new(hf, sb[boff:boff + blen]).digest()[:hashSize] == want
        f["code_directories"].append({
            "slot": hex(typ), "version": hex(version), "hash_type": hname, "flags": hex(flags),
            "cdhash": full[:40], "cd_digest_full": full, "identifier": ident, "team_id": team,
            "page_size": ps, "code_limit": codeLimit, "n_code_slots": nCode, "n_special_slots": nSpecial,
            "exec_seg_flags": hex(execSegFlags) if execSegFlags is not None else None,
            "runtime_version": ver(runtime) if runtime else None,
            "page_hash_mismatches": bad, "special_slot_ok": spec_ok, "cd_file": p})
    f["hardened_runtime"] = all(int(c["flags"], 16) & 0x10000 for c in f["code_directories"])
    if ents is not None:
        f["entitlements_xml"] = ents.decode(errors="replace")
    if cms is not None:
        p = os.path.join(outdir, "%s.slice%d.cms.der" % (os.path.basename(outdir), idx))
        open(p, "wb").write(cms)
        f["cms_file"] = p
        f["cms"] = cms_facts(cms, outdir, "%s.slice%d" % (os.path.basename(outdir), idx))
        certs = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-in", p, "-print_certs", "-noout"],
                               capture_output=True, text=True).stdout
        f["cert_subjects"] = [l[len("subject="):].strip() for l in certs.splitlines() if l.startswith("subject=")]
        import re
        cn = [re.search(r"CN ?= ?([^,/]+(?:\([A-Z0-9]+\))?)", s).group(1).strip() for s in f["cert_subjects"]]
        f["cert_common_names"] = cn
        leaf = f["cms"]["signer"]
        f["cert_common_name"] = leaf.get("cn")
        f["leaf_team_ou"] = leaf.get("ou")
        f["leaf_kind"] = leaf.get("cn", "").split(":")[0] if leaf.get("cn") else None
        f["cms_digest"] = leaf["digest"]
        f["timestamp_signer_cn"] = f["cms"].get("timestamp_signer", {}).get("cn")
        if "timestamp_token_file" in f["cms"]:
            ts = subprocess.run(["openssl", "ts", "-reply", "-token_in", "-in", f["cms"]["timestamp_token_file"], "-text", "-token_out"],
                                capture_output=True, text=True).stdout
            f["cms"]["openssl_ts_time"] = next((l.split(":", 1)[1].strip() for l in ts.splitlines() if l.startswith("Time stamp:")), None)
            f["cms"]["openssl_ts_hash_alg"] = next((l.split(":", 1)[1].strip() for l in ts.splitlines() if l.startswith("Hash Algorithm:")), None)
        prim = [c for c in f["code_directories"] if c["slot"] == "0x0"][0]
        f["cms"]["message_digest_matches_primary_cd"] = f["cms"].get("message_digest") in (
            hashlib.sha256(open(prim["cd_file"], "rb").read()).hexdigest(), hashlib.sha1(open(prim["cd_file"], "rb").read()).hexdigest())
        f["cms"]["cdhashes_plist_match"] = [h[:40] for h in f["cms"].get("cdhashes_plist", [])] == [c["cdhash"] for c in f["code_directories"]]
    return f


def main():
    path = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) > 2 else "/tmp/facts/" + os.path.basename(path)
    os.makedirs(outdir, exist_ok=True)
    data = open(path, "rb").read()
    out = {"file": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "slices": []}
    if data[:4] == b"\xca\xfe\xba\xbe":
        n = struct.unpack(">I", data[4:8])[0]
        out["fat"] = True
        ends = []
        for i in range(n):
            cpu, sub, off, size, align = struct.unpack(">5I", data[8 + 20 * i:28 + 20 * i])
            s = slice_facts(data, off, size, outdir, i)
            s["fat_offset"], s["fat_size"], s["fat_align"] = off, size, 1 << align
            out["slices"].append(s); ends.append(off + size)
        out["bytes_after_last_slice"] = len(data) - max(ends)
    else:
        out["fat"] = False
        out["slices"].append(slice_facts(data, 0, len(data), outdir, 0))
    print(json.dumps(out, indent=1))


main()
