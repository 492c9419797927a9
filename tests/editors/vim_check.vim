" vim_check.vim - run by tests/editors/run.sh as
"   CARS_LIST=LIST CARS_OUT=OUT vim -Es -N -u NONE -i NONE -S vim_check.vim
" with editors/vim first in 'runtimepath'. Opens every file named in LIST
" (tests/editors/corpus.py's list) and checks: a .cars file gets filetype
" cars (ftdetect); every non-blank character is in a syntax group; carsError
" is where, and only where, carsc's lexer refuses a character (the places
" after the tab); every keyword of grammar/lexer.l (and `says`) is a keyword;
" a few constructs get the group they should. Writes the failures and a
" summary to OUT; quits with an error status if any.
let s:failures = []
let s:checks = 0
let s:root = expand('<sfile>:p:h') . '/../..'

function! s:Fail(msg) abort
  call add(s:failures, 'FAIL vim: ' . a:msg)
endfunction

function! s:CheckBuffer(name, refused) abort
  let l:marked = {}
  for l:lnum in range(1, line('$'))
    let l:line = getline(l:lnum)
    let l:col = 1
    let l:inerror = 0
    while l:col <= strlen(l:line)
      let l:ch = matchstr(l:line, '.', l:col - 1)
      if l:ch !~# '^\s$'
        let s:checks += 1
        let l:group = synIDattr(synID(l:lnum, l:col, 1), 'name')
        let l:at = l:lnum . ':' . l:col
        if l:group ==# ''
          call s:Fail(printf('%s:%s: %s is in no syntax group', a:name, l:at, string(l:ch)))
          return
        elseif l:group ==# 'carsError' && !has_key(a:refused, l:at) && l:inerror != l:col
          call s:Fail(printf('%s:%s: %s is marked carsError', a:name, l:at, string(l:ch)))
          return
        elseif l:group ==# 'carsError'
          let l:marked[l:at] = 1
          " the rest of a refused operator ('&&') is part of it
          let l:inerror = l:col + strlen(l:ch)
        endif
      endif
      let l:col += max([strlen(l:ch), 1])
    endwhile
  endfor
  for l:at in keys(a:refused)
    if !has_key(l:marked, l:at)
      call s:Fail(printf('%s:%s: carsc refuses what is there, the syntax does not mark it carsError', a:name, l:at))
    endif
  endfor
endfunction

" The group of the first occurrence of `word` in `text`, highlighted alone.
function! s:GroupOf(text, word) abort
  enew!
  setlocal filetype=cars
  call setline(1, a:text)
  let l:col = stridx(a:text, a:word) + 1
  return l:col > 0 ? synIDattr(synID(1, l:col, 1), 'name') : '(not found)'
endfunction

function! s:Expect(text, word, group) abort
  let s:checks += 1
  let l:got = s:GroupOf(a:text, a:word)
  if l:got !=# a:group
    call s:Fail(printf('in %s, %s should be %s, is %s', string(a:text), string(a:word), a:group, l:got))
  endif
endfunction

function! s:Targeted() abort
  let l:words = []
  for l:l in readfile(s:root . '/grammar/lexer.l')
    call substitute(l:l, '{"\([a-z]\+\)", KW_[A-Z]\+}', '\=add(l:words, submatch(1))', 'g')
  endfor
  if len(l:words) < 50
    call s:Fail('found only ' . len(l:words) . ' keywords in grammar/lexer.l')
  endif
  let l:kwgroups = ['carsDeclaration', 'carsRuleKind', 'carsRuleModifier', 'carsMeta', 'carsControl',
        \ 'carsWordOperator', 'carsQuantifier', 'carsType', 'carsAttribute', 'carsBoolean']
  for l:w in l:words + ['says']
    let s:checks += 1
    let l:g = s:GroupOf(l:w, l:w)
    if index(l:kwgroups, l:g) < 0
      call s:Fail(printf('keyword %s of the language is %s, not a keyword group', l:w, l:g))
    endif
  endfor
  call s:Expect('  when visit.length_days > 90', 'when', 'carsControl')
  call s:Expect('  when visit.length_days > 90', 'visit.length_days', 'carsField')
  call s:Expect('  when visit.length_days > 90', '90', 'carsNumber')
  call s:Expect('rationale "a \"quoted\" word"', '\"', 'carsEscape')
  call s:Expect('rationale "a \"quoted\" word"', 'word', 'carsString')
  call s:Expect('rationale "a \"quoted\" word" # c', '# c', 'carsComment')
  call s:Expect('set x = [1] # a note', '# a note', 'carsComment')
  call s:Expect('reviewed 2026-09-01 every 6 months', '2026-09-01', 'carsDate')
  call s:Expect('profile PRF-002 "young tourist" {', 'PRF-002', 'carsRuleId')
  call s:Expect('profile PRF-002 "young tourist" {', 'profile', 'carsRuleKind')
  call s:Expect('  authorisation MA-2026-014', 'MA-2026-014', 'carsRuleId')
  call s:Expect('  noncomplex singles -> NCXDR', 'NCXDR', 'carsOutcome')
  call s:Expect('  noncomplex singles -> NCXDR', 'singles', 'carsStage')
  call s:Expect('  noncomplex singles -> NCXDR', '->', 'carsOperator')
  call s:Expect('  says "Refer to a senior officer"', 'says', 'carsMeta')
  call s:Expect('let age = years_between(applicant.date_of_birth, received)', 'age', 'carsDeclName')
  call s:Expect('let age = years_between(applicant.date_of_birth, received)', 'years_between', 'carsFunction')
  call s:Expect('any(t in travel_history where t.country = USA)', 't.country', 'carsField')
  call s:Expect('any(t in travel_history where t.country = USA)', 'USA', 'carsConstant')
  call s:Expect('let a = b && c', '&&', 'carsError')
endfunction

syntax on
try
  call s:Targeted()
catch
  call s:Fail('the checks stopped: ' . v:exception . ' at ' . v:throwpoint)
endtry
let s:files = 0
for s:entry in readfile($CARS_LIST)
  let [s:path; s:rest] = split(s:entry, "\t", 1)
  let s:refused = {}
  for s:at in split(get(s:rest, 0, ''), ',')
    let s:refused[s:at] = 1
  endfor
  execute 'silent edit!' fnameescape(s:path)
  let s:checks += 1
  if &filetype !=# 'cars'
    call s:Fail(s:path . ': filetype is ' . string(&filetype) . ', not cars')
  endif
  call s:CheckBuffer(s:path, s:refused)
  let s:files += 1
  silent! bwipeout!
endfor
if s:files < 10
  call s:Fail('only ' . s:files . ' files checked')
endif
call writefile(s:failures + [printf('vim: %d files, %d checks, %d failed', s:files, s:checks, len(s:failures))], $CARS_OUT)
if len(s:failures)
  cquit
endif
qall!
