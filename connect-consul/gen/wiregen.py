import re,sys,os
OUT='/work/wt-wire/connect-consul/src/main/java/dev/connect/consul/'
T={'S':'String','I':'Integer','L':'Long','B':'Boolean','T':'Instant','N':'BigInteger','obj':'Map<String, Object>'}
def jt(t):
    if t in T: return T[t]
    m=re.fullmatch(r'list<(.+)>',t)
    if m: return 'List<%s>'%jt(m.group(1))
    m=re.fullmatch(r'map<(.+)>',t)
    if m: return 'Map<String, %s>'%jt(m.group(1))
    return t
def jname(g):
    if g=='Native': return 'nativeService'
    words=re.findall(r'[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+',g)
    if ''.join(words)!=g: raise Exception(g)
    return words[0].lower()+''.join(w[0].upper()+w[1:].lower() for w in words[1:])
spec=open(sys.argv[1]).read()
blocks=re.split(r'\n(?=[A-Z][A-Za-z]*Wire\n)', '\n'+spec.strip())
for block in [b for b in blocks if b.strip()]:
    lines=block.strip('\n').split('\n')
    name=lines[0].strip()
    doc=[]; fields=[]; extra=[]; secret=[]
    mode='doc'
    for l in lines[1:]:
        if mode=='extra': extra.append(l[2:]); continue
        l=l.strip()
        if l=='EXTRA': mode='extra'; continue
        if l.startswith('- '):
            parts=l[2:].split()
            g,t=parts[0],parts[1]; flags=parts[2:]
            fields.append((g,t,flags)); mode='f'
        elif mode=='doc': doc.append(l)
    imports={'com.fasterxml.jackson.annotation.JsonProperty'}
    comps=[]; params=[]; body=[]
    for g,t,flags in fields:
        j=jname(g); ty=jt(t)
        ann='@JsonProperty("%s") '%g
        if 'ALWAYS' in flags:
            ann+='@JsonInclude(JsonInclude.Include.ALWAYS) '; imports.add('com.fasterxml.jackson.annotation.JsonInclude')
        comps.append('    '+ann+ty+' '+j)
        params.append(' * @param %s {@code %s}%s'%(j,g,' (secret)' if 'SECRET' in flags else ''))
        if 'SECRET' in flags: secret.append(j)
        if ty.startswith('List'): imports.add('java.util.List'); body.append('    %s = Wire.list(%s, "%s");'%(j,j,g))
        if ty.startswith('Map'): imports.add('java.util.Map'); body.append('    %s = Wire.map(%s, "%s");'%(j,j,g))
        if 'Instant' in ty: imports.add('java.time.Instant')
        if 'BigInteger' in ty: imports.add('java.math.BigInteger')
    for e in extra:
        for m in re.findall(r'IMPORT (\S+)',e): imports.add(m)
    extra=[e for e in extra if not e.startswith('IMPORT ')]
    src=['package dev.connect.consul;','']
    static=[i for i in sorted(imports) if i.startswith('static ')]
    for i in static: src.append('import %s;'%i)
    if static: src.append('')
    for i in sorted(x for x in imports if not x.startswith('static ')): src.append('import %s;'%i)
    src.append('')
    src.append('/**')
    for d in doc: src.append(' * '+d if d else ' *')
    src.append(' *')
    src.append(' * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is')
    src.append(' * absent (or {@code null}) on the wire, and an absent field is not written.')
    src.append(' *')
    src+=params
    src.append(' */')
    src.append('public record %s('%name)
    src.append(',\n'.join(comps)+') {')
    if body:
        src.append('')
        src.append('  /** Copies the lists and maps, which must not contain {@code null} elements. */')
        src.append('  public %s {'%name)
        src+=body
        src.append('  }')
    if secret:
        src.append('')
        src.append('  /** Returns the fields that are not secret; {@code %s} is redacted. */'%', '.join(secret))
        src.append('  @Override')
        src.append('  public String toString() {')
        shown=[jname(g) for g,t,f in fields if 'SECRET' not in f][:4]
        expr=' + ", "\n        + '.join('"%s=" + %s'%(s,s) for s in shown)
        src.append('    return "%s[" + %s\n        + ", %s=<redacted>]";'%(name,expr,', '.join(secret)))
        src.append('  }')
    for e in extra: src.append(e)
    src.append('}')
    open(OUT+name+'.java','w').write('\n'.join(src)+'\n')
    print('wrote',name)
