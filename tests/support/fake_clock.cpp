#include "fake_clock.hpp"
