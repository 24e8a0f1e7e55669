/* initfill/special.h - exp, expm1 and the normal CDF from IEEE basic operations.
 *
 * These run once per fill (parameter preparation), not per element, but their
 * results enter every truncated-normal value, so they are the project's own: no
 * libm call, hence the same bits on every C library. */
#ifndef INITFILL_SPECIAL_H
#define INITFILL_SPECIAL_H

/* e^x for x <= 709; 0 below about -745 (subnormal results near there). */
double if_exp(double x);

/* e^x - 1, accurate also for |x| small. */
double if_expm1(double x);

/* Phi(x), the standard normal CDF; accurate to a few ulp relative for x <= 0 down
 * to the underflow of Phi near -38.4 (0 beyond), and to a few ulp absolute above. */
double if_ncdf(double x);

#endif /* INITFILL_SPECIAL_H */
