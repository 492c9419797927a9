" The CARS rule language: *.cars files (editors/vim/syntax/cars.vim).
autocmd BufRead,BufNewFile *.cars setfiletype cars
