" Vim syntax file
" Language:    CARS rule language (docs/language.md)
" Files:       *.cars (ftdetect/cars.vim)
" Keywords are grammar/lexer.l's; tests/editors/ checks that every one of
" them is here, that every character of every .cars file of the tree is in
" a syntax group, and that carsError marks exactly what carsc's lexer
" refuses.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword @,48-57,_

" Anything else is a character carsc refuses (defined first: the least
" priority).
syn match carsError /\S/

" Names: lower-case (fields, sets, definitions, tables), upper-case
" (countries, enumeration members, tiers, threshold ids), calls, dotted
" field paths, and the name a declaration gives.
syn match carsName /\<\h\w*\>/
syn match carsConstant /\<\u\w*\>/
syn match carsFunction /\<\h\w*\ze\s*(/
syn match carsField /\<\h\w*\%(\.\h\w*\)\+\>/
syn match carsDeclName /\%(\<\%(set\|let\|table\|example\)\s\+\)\@<=\h\w*\>/

" Literals and rule ids (a date and a rule id win over a number, being
" defined after it).
syn match carsNumber /\<\d\+\%(\.\d\+\)\=\>/
syn match carsDate /\<\d\{4}-\d\d-\d\d\>/
syn match carsRuleId /\<\u[A-Z0-9]*\%(-[A-Z0-9]\+\)\+\>/

syn match carsOperator /->\|!=\|<=\|>=\|[=<>+*-]/
syn match carsError /&&\|||\|==/
syn match carsDelimiter /[,:.(){}[\]]/

syn region carsString start=/"/ skip=/\\\\\|\\"/ end=/"/ end=/$/ oneline contains=carsEscape
syn match carsEscape /\\\%(["\\nt]\|u\x\{4}\)/ contained
syn match carsComment /#.*$/ contains=@Spell

" Keywords (grammar/lexer.l), and `says`.
syn keyword carsDeclaration schema set let table routing example test include
syn keyword carsRuleKind exclusion screen profile single multiple threshold
syn keyword carsRuleModifier complex noncomplex tier
syn keyword carsMeta rationale says reviewed every months authorisation justification
syn keyword carsControl when otherwise like expect at least
syn keyword carsWordOperator and or not in is present absent between within where days
syn keyword carsQuantifier any all none count
syn keyword carsType bool integer number string date country list one of
syn keyword carsAttribute required optional protected reference min key file
syn keyword carsBoolean true false
" Outcomes, and the stages of a routing block.
syn keyword carsOutcome NCXDR NCXPCA CXDR CXPCA NONE ERROR
syn keyword carsStage exclusions screens profiles singles

hi def link carsError Error
hi def link carsConstant Constant
hi def link carsName Identifier
hi def link carsFunction Function
hi def link carsField Identifier
hi def link carsDeclName Function
hi def link carsNumber Number
hi def link carsDate Number
hi def link carsRuleId Label
hi def link carsOperator Operator
hi def link carsDelimiter Delimiter
hi def link carsString String
hi def link carsEscape SpecialChar
hi def link carsComment Comment
hi def link carsDeclaration Structure
hi def link carsRuleKind Statement
hi def link carsRuleModifier StorageClass
hi def link carsMeta PreProc
hi def link carsControl Keyword
hi def link carsWordOperator Operator
hi def link carsQuantifier Repeat
hi def link carsType Type
hi def link carsAttribute StorageClass
hi def link carsBoolean Boolean
hi def link carsOutcome Constant
hi def link carsStage Special

let b:current_syntax = 'cars'
let &cpo = s:cpo_save
unlet s:cpo_save
